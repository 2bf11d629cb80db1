from django.urls import path

from flokk.content.views import approval, assets, calendar, campaigns, policy, posts, workflow

app_name = "content"

org = "o/<slug:org>/"
urlpatterns = [
    path(org + "posts/", posts.post_list, name="posts"),
    path(org + "posts/new/", posts.post_create, name="post_create"),
    path(org + "posts/check/", posts.post_check, name="post_check"),
    path(org + "posts/<uuid:post_id>/", posts.post_detail, name="post_detail"),
    path(org + "posts/<uuid:post_id>/edit/", posts.post_edit, name="post_edit"),
    path(org + "posts/<uuid:post_id>/versions/", posts.post_versions, name="post_versions"),
    path(
        org + "posts/<uuid:post_id>/approval/<slug:action>/",
        approval.post_approval_action,
        name="post_approval_action",
    ),
    path(org + "posts/<uuid:post_id>/approval-link/", approval.post_approval_link, name="post_approval_link"),
    path(org + "approval-workflow/", workflow.approval_workflow, name="approval_workflow"),
    path("approve/<str:token>/", approval.approval_link_page, name="approval_link"),
    path(org + "campaigns/", campaigns.campaign_list, name="campaigns"),
    path(org + "campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path(org + "campaigns/<uuid:campaign_id>/", campaigns.campaign_edit, name="campaign_edit"),
    path(org + "campaigns/<uuid:campaign_id>/delete/", campaigns.campaign_delete, name="campaign_delete"),
    path(org + "assets/", assets.asset_list, name="assets"),
    path(org + "assets/upload/", assets.asset_upload, name="asset_upload"),
    path(org + "assets/<uuid:asset_id>/", assets.asset_edit, name="asset_edit"),
    path(org + "assets/<uuid:asset_id>/file/", assets.asset_file, name="asset_file"),
    path(org + "content-policy/", policy.content_policy, name="content_policy"),
    path(org + "calendar/", calendar.calendar_month, name="calendar"),
]
