"""What the Facebook and Instagram inboxes share: the cursor, Graph times, and signed webhook envelopes.

The cursor is the creation time of the newest item a poll returned (ISO 8601). The next poll returns
every item created at or after it, so the newest ones come back once more; ingest drops such repeats by
remote id. Graph times arrive as `2024-05-01T12:00:00+0000` in API answers and as Unix seconds in webhooks.

Webhooks (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads): Meta
signs each POST with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
secret>`. The body is `{"object": ..., "entry": [{"id", "time", "changes": [{"field", "value"}]}]}`.
A request that is not signed by our app, or whose envelope or a change of interest is not what the docs
describe, is refused as a whole (the view answers 400 and stores nothing), so a payload is never half
stored; well-formed changes of other kinds (likes, edits, posts) are skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from flokk.channels.connectors.base import InboundItem, OAuthApp, WebhookRejected
from flokk.channels.connectors.facebook.graph import parse_time

SIGNATURE_HEADER = "x-hub-signature-256"
SIGNATURE_PREFIX = "sha256="


def parse_cursor(cursor: str) -> dt.datetime | None:
    """The time a cursor marks; None for the first poll (or a cursor Flokk cannot read: start over)."""
    if not cursor:
        return None
    try:
        since = dt.datetime.fromisoformat(cursor)
    except ValueError:
        return None
    return since if since.tzinfo else since.replace(tzinfo=dt.UTC)


def is_new(created_at: dt.datetime, since: dt.datetime | None) -> bool:
    """At or after the cursor: the item the cursor marks comes back (ingest drops the repeat)."""
    return since is None or created_at >= since


def next_cursor(items: Iterable[InboundItem], cursor: str) -> str:
    """The newest creation time among `items`; the old cursor when there are none."""
    newest = max((item.created_at for item in items), default=None)
    return newest.astimezone(dt.UTC).isoformat() if newest is not None else cursor


def webhook_time(value: Any) -> dt.datetime | None:
    """A webhook time: Unix seconds (milliseconds when that large), or a Graph time string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_time(value)


def _header(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower().replace("_", "-").removeprefix("http-") == name:
            return value
    return ""


def verify_signature(app: OAuthApp, headers: dict[str, str], body: bytes) -> None:
    """Raise `WebhookRejected` unless `X-Hub-Signature-256` is the HMAC of `body` with the app secret."""
    if not app.client_secret:
        raise WebhookRejected(_("No app secret is configured to check this webhook's signature."))
    signature = _header(headers, SIGNATURE_HEADER).strip()
    if not signature:
        raise WebhookRejected(_("The webhook has no X-Hub-Signature-256 header."))
    if not signature.startswith(SIGNATURE_PREFIX):
        raise WebhookRejected(_("The webhook's signature is not a sha256 signature."))
    expected = hmac.new(app.client_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.removeprefix(SIGNATURE_PREFIX).lower().encode(), expected.encode()):
        raise WebhookRejected(_("The webhook's signature does not match its body."))


def signed_entries(
    app: OAuthApp, headers: dict[str, str], body: bytes, *, object_name: str
) -> list[dict[str, Any]]:
    """The entries of a webhook body, once its signature is checked and its envelope is as documented."""
    verify_signature(app, headers, body)
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise WebhookRejected(_("The webhook's body is not JSON.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise WebhookRejected(_("The webhook's body has no list of entries."))
    if payload.get("object") != object_name:
        raise WebhookRejected(
            _("The webhook is about %(found)r, not %(expected)r.")
            % {"found": payload.get("object"), "expected": object_name}
        )
    entries: list[dict[str, Any]] = payload["entry"]
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str | int) or not entry["id"]:
            raise WebhookRejected(_("A webhook entry has no account id."))
        if not isinstance(entry.get("changes", []), list):
            raise WebhookRejected(_("A webhook entry's changes are not a list."))
    return entries


def changes(entry: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field, value) of each change in an entry; entries without changes (Messenger's) give none."""
    for change in entry.get("changes", []):
        if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
            raise WebhookRejected(_("A webhook change has no value object."))
        yield str(change.get("field") or ""), change["value"]


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def id_of(value: Any) -> str:
    """A Graph id (a string, or a number in some webhook payloads); blank for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)
