from django.urls import path

from flokk.channels.views import accounts

app_name = "channels"

org = "o/<slug:org>/"
urlpatterns = [
    path(org + "accounts/", accounts.account_list, name="accounts"),
    path(org + "accounts/sandbox/", accounts.account_add_sandbox, name="account_add_sandbox"),
    path(org + "accounts/<uuid:account_id>/rename/", accounts.account_rename, name="account_rename"),
    path(
        org + "accounts/<uuid:account_id>/disconnect/", accounts.account_disconnect, name="account_disconnect"
    ),
]
