"""The first-party conversion endpoint (`POST /c/<conversion key>`) and the organization's analytics settings.

A landing page reports a visit or a conversion with a small script (`snippet`). The body is checked
strictly: anything odd is refused (`ConversionRejected`, the view answers 400) and nothing is stored. What
is stored is an event only: kind, the campaign (from `utm_campaign`, matched against the organization's
campaigns), and the short link, post and network (from `link`). The page address and UTM values serve to
find those and are not kept, so nothing a visitor sends can end up in a page.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import NONE, AnalyticsSettings, Link
from flokk.analytics.services.rollups import NewEvent, record_events
from flokk.content.models import Campaign
from flokk.core.audit import record
from flokk.teams.models import Organization, User

MAX_BODY_BYTES = 4096
MAX_PAGE_LENGTH = 1000
MAX_UTM_LENGTH = 200
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9]{1,16}$")
# Control characters, and the characters that start markup: no UTM value a marketer sets needs them.
FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f<>\"`]")
EVENTS = {"visit": EventKind.VISIT, "conversion": EventKind.CONVERSION}
FIELDS = frozenset({"event", "page", "utm_source", "utm_medium", "utm_campaign", "utm_content", "link"})


class ConversionRejected(Exception):
    """The body is not a valid landing-page event; `message` says why (English, for developers)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LandingEvent:
    kind: str
    campaign_id: uuid.UUID
    link_id: uuid.UUID
    post_id: uuid.UUID
    network: str


def new_conversion_key() -> str:
    return secrets.token_urlsafe(24)


def settings_for_key(key: str) -> AnalyticsSettings | None:
    if not KEY_PATTERN.match(key):
        return None
    return AnalyticsSettings.objects.select_related("organization").filter(conversion_key=key).first()


def parse_body(body: bytes, content_type: str) -> dict[str, str]:
    """The fields of a JSON or form body; raises ConversionRejected for anything else."""
    if len(body) > MAX_BODY_BYTES:
        raise ConversionRejected("body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ConversionRejected("body is not UTF-8") from None
    data: Any
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=20)
        data = dict(pairs)
        if len(data) != len(pairs):
            raise ConversionRejected("repeated field")
    else:  # JSON, also when sent as text/plain (what navigator.sendBeacon does without a preflight)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise ConversionRejected("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ConversionRejected("body must be an object")
    unknown = set(data) - FIELDS
    if unknown:
        raise ConversionRejected("unknown field")
    fields: dict[str, str] = {}
    for name, value in data.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise ConversionRejected(f"{name} must be a string")
        fields[name] = value
    return fields


def check_event(fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The event's kind and its cleaned values; raises ConversionRejected for junk."""
    kind = EVENTS.get(fields.get("event", ""))
    if kind is None:
        raise ConversionRejected("event must be 'visit' or 'conversion'")
    cleaned: dict[str, str] = {}
    page = fields.get("page", "")
    if page:
        if len(page) > MAX_PAGE_LENGTH or FORBIDDEN.search(page) or " " in page:
            raise ConversionRejected("page is not a plain http(s) address")
        try:
            URLValidator(schemes=["http", "https"])(page)
        except ValidationError:
            raise ConversionRejected("page is not a plain http(s) address") from None
        cleaned["page"] = page
    for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content"):
        value = fields.get(name, "").strip()
        if len(value) > MAX_UTM_LENGTH or FORBIDDEN.search(value):
            raise ConversionRejected(f"{name} is too long or holds control characters or markup")
        cleaned[name] = value
    code = fields.get("link", "").strip()
    if code and not CODE_PATTERN.match(code):
        raise ConversionRejected("link is not a short link code")
    cleaned["link"] = code
    return kind, cleaned


def campaign_named(organization: Organization, utm_campaign: str) -> uuid.UUID:
    """The organization's campaign whose name (or slugified name) is the UTM campaign, else NONE."""
    if not utm_campaign:
        return NONE
    wanted = slugify(utm_campaign)
    for pk, name in Campaign.objects.filter(organization=organization).values_list("pk", "name"):
        if name.strip().lower() == utm_campaign.lower() or (wanted and slugify(name) == wanted):
            return pk
    return NONE


def resolve(organization: Organization, kind: str, cleaned: dict[str, str]) -> LandingEvent:
    link = None
    if cleaned["link"]:
        link = Link.objects.filter(organization=organization, code=cleaned["link"]).first()
    campaign_id = link.campaign_id if link is not None and link.campaign_id else None
    return LandingEvent(
        kind=kind,
        campaign_id=campaign_id or campaign_named(organization, cleaned["utm_campaign"]),
        link_id=link.pk if link is not None else NONE,
        post_id=link.post_id if link is not None and link.post_id else NONE,
        network=link.network if link is not None else "",
    )


def receive_landing_event(key: str, body: bytes, content_type: str) -> LandingEvent:
    """Check a landing page's event and record it for the organization the key belongs to.

    Raises ConversionRejected (and stores nothing) for an unknown key or a body that is not valid.
    """
    found = settings_for_key(key)
    if found is None:
        raise ConversionRejected("unknown key")
    kind, cleaned = check_event(parse_body(body, content_type))
    event = resolve(found.organization, kind, cleaned)
    record_events(
        [
            NewEvent(
                organization_id=found.organization_id,
                occurred_at=timezone.now(),
                kind=event.kind,
                count=1,
                network=event.network,
                source=EventSource.LANDING,
                post_id=event.post_id,
                campaign_id=event.campaign_id,
                link_id=event.link_id,
            )
        ]
    )
    return event


SETTINGS_FIELDS = (
    "metrics_every_minutes",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "shorten_links",
)


def save_analytics_settings(
    organization: Organization, *, actor: User | None, new_key: bool = False, **values: Any
) -> AnalyticsSettings:
    """Save the organization's analytics settings (created on first save, with a conversion key).

    `new_key` replaces the conversion key: landing pages with the old snippet stop being counted.
    """
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown analytics settings: {sorted(unknown)}")
    with transaction.atomic():
        current, _created = AnalyticsSettings.objects.select_for_update().get_or_create(
            organization=organization
        )
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        for name in changed:
            setattr(current, name, values[name])
        if new_key or not current.conversion_key:
            current.conversion_key = new_conversion_key()
            changed.append("conversion_key")
        current.full_clean(exclude=["organization"])
        current.save()
        record(
            "analytics.settings.changed",
            organization=organization,
            actor=actor,
            target=current,
            target_label=_("Analytics settings"),
            data={"changed": sorted(set(changed))},
        )
    return current


def conversion_url(key: str) -> str:
    return str(settings.FLOKK_BASE_URL).rstrip("/") + reverse("analytics:conversion", args=[key])


SNIPPET = """<script>
(function () {
  var endpoint = "%(url)s";
  var params = new URLSearchParams(window.location.search);
  var names = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];
  var saved = {};
  try { saved = JSON.parse(sessionStorage.getItem("flokk_utm") || "{}"); } catch (e) { saved = {}; }
  if (params.get("utm_campaign")) {
    saved = {};
    names.forEach(function (name) { saved[name] = (params.get(name) || "").slice(0, 200); });
    try { sessionStorage.setItem("flokk_utm", JSON.stringify(saved)); } catch (e) {}
  }
  function send(event) {
    var body = {event: event, page: window.location.origin + window.location.pathname};
    names.forEach(function (name) { if (saved[name]) { body[name] = saved[name]; } });
    var data = JSON.stringify(body);
    if (navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, new Blob([data], {type: "text/plain"}));
    } else {
      fetch(endpoint, {method: "POST", body: data, keepalive: true, mode: "cors"});
    }
  }
  send("visit");
  // Call flokkConversion() where a visitor converts (a form sent, an order placed).
  window.flokkConversion = function () { send("conversion"); };
})();
</script>"""


def conversion_snippet(key: str) -> str:
    """The script for the organization's landing pages: a visit on load, a conversion on request."""
    return SNIPPET % {"url": conversion_url(key)}
