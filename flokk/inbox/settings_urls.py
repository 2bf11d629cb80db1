"""The inbox settings pages' URLs (routing and intent rules, SLA, hours, saved replies, options).

Pages are GET; every change is a POST to its own URL (`community.manage`). Included into the `inbox`
namespace by `urls.py`.
"""

from django.urls import URLPattern, path

from flokk.inbox.views import settings as views

base = "o/<slug:org>/inbox/settings/"
urlpatterns: list[URLPattern] = [
    path(base, views.options, name="settings"),
    path(base + "options/", views.options_save, name="settings_options"),
    path(base + "secret/", views.secret_generate, name="settings_secret"),
    path(base + "routing/", views.routing, name="settings_routing"),
    path(base + "routing/add/", views.routing_add, name="settings_routing_add"),
    path(base + "routing/<uuid:rule_id>/", views.routing_edit, name="settings_routing_edit"),
    path(base + "routing/<uuid:rule_id>/delete/", views.routing_delete, name="settings_routing_delete"),
    path(base + "routing/<uuid:rule_id>/move/", views.routing_move, name="settings_routing_move"),
    path(base + "intents/", views.intents, name="settings_intents"),
    path(base + "intents/customize/", views.intents_customize, name="settings_intents_customize"),
    path(base + "intents/defaults/", views.intents_restore, name="settings_intents_restore"),
    path(base + "intents/add/", views.intents_add, name="settings_intents_add"),
    path(base + "intents/<uuid:row_id>/", views.intents_edit, name="settings_intents_edit"),
    path(base + "intents/<uuid:row_id>/delete/", views.intents_delete, name="settings_intents_delete"),
    path(base + "sla/", views.sla, name="settings_sla"),
    path(base + "sla/targets/", views.sla_targets, name="settings_sla_targets"),
    path(base + "sla/hours/", views.sla_hours, name="settings_hours"),
    path(base + "sla/holidays/", views.holiday_add, name="settings_holiday_add"),
    path(base + "sla/holidays/public/", views.holidays_public, name="settings_holidays_public"),
    path(base + "sla/holidays/<str:day>/delete/", views.holiday_delete, name="settings_holiday_delete"),
    path(base + "replies/", views.replies, name="settings_replies"),
    path(base + "replies/add/", views.replies_add, name="settings_replies_add"),
    path(base + "replies/<uuid:reply_id>/", views.replies_edit, name="settings_replies_edit"),
    path(base + "replies/<uuid:reply_id>/delete/", views.replies_delete, name="settings_replies_delete"),
]
