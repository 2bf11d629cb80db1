from django.urls import path

from flokk.channels.views import accounts, network_apps, oauth

app_name = "channels"

org = "o/<slug:org>/"
urlpatterns = [
    path(org + "network-apps/", network_apps.network_app_list, name="network_apps"),
    path(org + "network-apps/<slug:network>/", network_apps.network_app_save, name="network_app_save"),
    path(
        org + "network-apps/<slug:network>/delete/",
        network_apps.network_app_delete,
        name="network_app_delete",
    ),
    path(org + "accounts/connect/<slug:network>/", oauth.connect_start, name="account_connect"),
    path("oauth/callback/", oauth.oauth_callback, name="oauth_callback"),
    path("oauth/choose/<uuid:state_id>/", oauth.oauth_choose, name="oauth_choose"),
    path(org + "accounts/", accounts.account_list, name="accounts"),
    path(org + "accounts/sandbox/", accounts.account_add_sandbox, name="account_add_sandbox"),
    path(org + "accounts/mastodon/", accounts.account_connect_mastodon, name="account_connect_mastodon"),
    path(org + "accounts/<uuid:account_id>/rename/", accounts.account_rename, name="account_rename"),
    path(
        org + "accounts/<uuid:account_id>/disconnect/", accounts.account_disconnect, name="account_disconnect"
    ),
]
