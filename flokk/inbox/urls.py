from django.urls import path

from flokk.inbox.settings_urls import urlpatterns as settings_urlpatterns
from flokk.inbox.views import crisis, inbox, people, webhooks

app_name = "inbox"

org = "o/<slug:org>/inbox/"
urlpatterns = [
    path(org, inbox.inbox, name="index"),
    path(org + "c/<uuid:conversation_id>/", inbox.conversation_detail, name="conversation"),
    path(org + "c/<uuid:conversation_id>/reply/", inbox.reply, name="reply"),
    path(org + "c/<uuid:conversation_id>/assign/", inbox.assign, name="assign"),
    path(org + "c/<uuid:conversation_id>/status/", inbox.set_status, name="status"),
    path(org + "c/<uuid:conversation_id>/tags/", inbox.tags, name="tags"),
    path(org + "c/<uuid:conversation_id>/notes/", inbox.note, name="note"),
    path(org + "m/<uuid:message_id>/approve/", inbox.approve, name="approve"),
    path(org + "m/<uuid:message_id>/reject/", inbox.reject, name="reject"),
    path(org + "m/<uuid:message_id>/retry/", inbox.retry, name="retry"),
    path(org + "m/<uuid:message_id>/<slug:action>/", inbox.moderate_message, name="moderate"),
    path(org + "crisis/", crisis.crisis_room, name="crisis"),
    path(org + "crisis/start/", crisis.start, name="crisis_start"),
    path(org + "crisis/lift/", crisis.lift, name="crisis_lift"),
    path(org + "crisis/decisions/", crisis.decision, name="crisis_decision"),
    path(org + "ambassadors/", people.ambassadors, name="ambassadors"),
    path(org + "people/<uuid:contact_id>/", people.contact, name="contact"),
    path(org + "leads/", people.leads, name="leads"),
    path(org + "report/", people.report, name="report"),
    path("webhooks/<slug:network>/<uuid:app_id>/", webhooks.network_webhook, name="webhook"),
    *settings_urlpatterns,
]
