"""Where Facebook and Instagram push comments: `/webhooks/<network>/<app id>/` (no session, no CSRF).

GET answers Meta's subscription check; POST hands the raw body to the inbox service, which verifies the
signature. A body that is not valid answers 400 and is logged; nothing of it is stored.
"""

from __future__ import annotations

import logging
import uuid

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from flokk.channels.connectors.base import WebhookRejected
from flokk.channels.models import NetworkApp
from flokk.inbox.services.webhooks import receive, verify_subscription

logger = logging.getLogger(__name__)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def network_webhook(request: HttpRequest, network: str, app_id: uuid.UUID) -> HttpResponse:
    app = NetworkApp.objects.filter(pk=app_id, network=network).first()
    if app is None:
        raise Http404("no such app")
    if request.method == "GET":
        if verify_subscription(app, request.GET.get("hub.mode", ""), request.GET.get("hub.verify_token", "")):
            return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type="text/plain")
        return HttpResponse("verification failed", status=403, content_type="text/plain")
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        result = receive(app, headers, request.body)
    except WebhookRejected as rejected:
        logger.warning("webhook for %s app %s rejected: %s", network, app_id, rejected)
        return HttpResponseBadRequest(str(rejected)[:200], content_type="text/plain")
    return HttpResponse("replay" if result.replay else "ok", content_type="text/plain")
