from django.urls import path

from flokk.teams.views import account, agencies, audit, auth, home, matrix, members, roles, settings

app_name = "teams"

org = "o/<slug:org>/"
urlpatterns = [
    path("", home.home, name="home"),
    path("switch/", home.switch_organization, name="switch_organization"),
    path("orgs/new/", home.create_organization_view, name="create_organization"),
    # signing in
    path("login/", auth.login_view, name="login"),
    path("login/verify/", auth.verify_two_factor, name="login_verify"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("invitations/<str:token>/", auth.accept_invitation_view, name="accept_invitation"),
    # the person's own account
    path("account/", account.profile, name="profile"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("account/tokens/", account.api_tokens, name="api_tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", account.revoke_token, name="revoke_token"),
    # one organization
    path(org, home.org_home, name="org_home"),
    path(org + "members/", members.member_list, name="members"),
    path(org + "members/<uuid:member_id>/", members.member_edit, name="member_edit"),
    path(org + "members/<uuid:member_id>/remove/", members.member_remove, name="member_remove"),
    path(org + "invitations/", members.invite, name="invite"),
    path(
        org + "invitations/<uuid:invitation_id>/revoke/", members.invitation_revoke, name="invitation_revoke"
    ),
    path(
        org + "invitations/<uuid:invitation_id>/resend/", members.invitation_resend, name="invitation_resend"
    ),
    path(org + "roles/", roles.role_list, name="roles"),
    path(org + "roles/new/", roles.role_create, name="role_create"),
    path(org + "roles/<uuid:role_id>/", roles.role_edit, name="role_edit"),
    path(org + "roles/<uuid:role_id>/delete/", roles.role_delete, name="role_delete"),
    path(org + "matrix/", matrix.matrix_page, name="matrix"),
    path(org + "matrix/cell/", matrix.matrix_cell, name="matrix_cell"),
    path(org + "matrix/templates/", matrix.template_list, name="team_templates"),
    path(org + "matrix/templates/<slug:template_key>/", matrix.template_apply, name="team_template_apply"),
    path(org + "agencies/", agencies.agency_list, name="agencies"),
    path(org + "agencies/<uuid:access_id>/", agencies.agency_edit, name="agency_edit"),
    path(org + "agencies/<uuid:access_id>/revoke/", agencies.agency_revoke, name="agency_revoke"),
    path(org + "audit/", audit.audit_log, name="audit"),
    path(org + "settings/", settings.org_settings, name="org_settings"),
]
