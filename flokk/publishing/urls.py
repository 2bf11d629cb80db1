from django.urls import path

from flokk.publishing import views

app_name = "publishing"

org = "o/<slug:org>/"
urlpatterns = [
    path(org + "publishing/", views.publishing_overview, name="overview"),
    path(org + "publishing/pause/", views.pause, name="pause"),
    path(org + "publishing/resume/", views.resume, name="resume"),
    path(org + "publishing/accounts/<uuid:account_id>/pause/", views.account_pause, name="account_pause"),
    path(org + "publishing/accounts/<uuid:account_id>/resume/", views.account_resume, name="account_resume"),
    path(org + "posts/<uuid:post_id>/publish-now/", views.post_publish_now, name="publish_now"),
]
