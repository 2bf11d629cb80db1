"""Top-level URLs: health, language switch, the API, and the apps' pages."""

from django.urls import include, path

from flokk.api import api
from flokk.core.views import healthz, notifications

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", notifications, name="notifications"),
    path("api/v1/", api.urls),
    path("", include("flokk.teams.urls")),
    path("", include("flokk.strategy.urls")),
    path("", include("flokk.channels.urls")),
    path("", include("flokk.content.urls")),
    path("", include("flokk.publishing.urls")),
    path("", include("flokk.inbox.urls")),
    path("", include("flokk.analytics.urls")),
]

handler404 = "flokk.core.views.not_found"
handler403 = "flokk.core.views.forbidden"
handler500 = "flokk.core.views.server_error"
