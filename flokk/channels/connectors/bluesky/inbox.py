"""Reading Bluesky notifications into inbox items, without trusting them.

`app.bsky.notification.listNotifications` (lexicon: /work/shared/apis/atproto/lexicons/app/bsky/notification/)
lists what happened to the account, newest first. Replies, mentions and quotes are conversations and become
inbox items; likes, reposts and follows are metrics and are left out. The records inside are written by
anyone's app, so a notification may lack fields or carry a malformed date: such an item is skipped (and
logged) only when nothing usable is left, otherwise what is usable is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from flokk.channels.connectors.base import InboundAuthor, InboundItem

logger = logging.getLogger(__name__)

# Notification reason -> inbox kind. A quote is someone talking about the account's post: a mention.
REASON_KINDS = {"reply": "reply", "mention": "mention", "quote": "mention"}
# When one post is both (a reply that also mentions the account), the reply is what it is.
_KIND_RANK = {"reply": 0, "mention": 1}

# The AT Protocol's datetime syntax (RFC 3339 with a required offset; see the spec's interop test files in
# /work/shared/apis/atproto/interop-test-files/syntax/datetime_*.txt).
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?P<fraction>\.\d+)?(?P<offset>Z|[+-]\d{2}:\d{2})"
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def parse_datetime(value: Any) -> dt.datetime | None:
    """An AT Protocol datetime as a timezone-aware datetime, or None if it is not one."""
    if not isinstance(value, str):
        return None
    match = _DATETIME.fullmatch(value)
    if match is None or match["offset"] == "-00:00":
        return None
    fraction = match["fraction"] or ""
    # Python reads at most microseconds; the protocol allows any number of digits.
    text = value[: match.start("fraction")] + fraction[:7] if fraction else value[: match.start("offset")]
    try:
        return dt.datetime.fromisoformat(text + match["offset"].replace("Z", "+00:00"))
    except ValueError:
        return None  # "month 13", "hour 25", year 0...


def web_url(uri: str, author_did: str, service_url: str) -> str:
    """The post in Bluesky's web app (by DID, which survives handle changes); blank on a loopback network,
    whose posts no public web app can show."""
    if urlsplit(service_url).hostname in LOOPBACK_HOSTS:
        return ""
    return f"https://bsky.app/profile/{author_did}/post/{uri.rsplit('/', 1)[-1]}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strong_ref(value: Any) -> tuple[str, str]:
    """(uri, cid) of a `com.atproto.repo.strongRef`, blank where missing."""
    ref = _object(value)
    return _text(ref.get("uri")), _text(ref.get("cid"))


def inbound_item(notification: Any, *, account_did: str, service_url: str) -> InboundItem | None:
    """The inbox item for one notification; None for a reason the inbox ignores or an unusable one.

    A post that answers one of the account's own posts is a reply even when the network calls it a mention
    (the AppView sends one notification per post and person, and a mention outranks a reply there).
    """
    if not isinstance(notification, dict):
        logger.warning("Skipped a Bluesky notification that is not an object: %.200r", notification)
        return None
    kind = REASON_KINDS.get(_text(notification.get("reason")))
    if kind is None:
        return None
    uri, cid = _text(notification.get("uri")), _text(notification.get("cid"))
    author = _object(notification.get("author"))
    author_did, handle = _text(author.get("did")), _text(author.get("handle"))
    if not uri.startswith("at://") or not cid or not author_did or not handle:
        logger.warning("Skipped a Bluesky notification without uri, cid or author: %.500r", notification)
        return None
    record = _object(notification.get("record"))
    created_at = parse_datetime(record.get("createdAt")) or parse_datetime(notification.get("indexedAt"))
    if created_at is None:
        logger.warning("Skipped a Bluesky notification without a readable date: %.500r", notification)
        return None
    reply = _object(record.get("reply"))
    root_uri, root_cid = _strong_ref(reply.get("root"))
    parent_uri, _parent_cid = _strong_ref(reply.get("parent"))
    if parent_uri.startswith(f"at://{account_did}/"):
        kind = "reply"
    if not (root_uri and root_cid):
        root_uri, root_cid = uri, cid  # not a reply (or an unreadable one): it starts its own thread
    return InboundItem(
        remote_id=uri,
        kind=kind,
        text=_text(record.get("text")),
        author=InboundAuthor(
            remote_id=author_did, handle=handle, display_name=_text(author.get("displayName"))
        ),
        created_at=created_at,
        thread_id=root_uri,
        parent_id=parent_uri,
        url=web_url(uri, author_did, service_url),
        reply_ref={"cid": cid, "root_uri": root_uri, "root_cid": root_cid},
    )


def merge(items: dict[str, InboundItem], item: InboundItem) -> None:
    """Add `item` to `items` (by remote id), keeping the reply when one post came as reply and mention."""
    known = items.get(item.remote_id)
    if known is None or _KIND_RANK[item.kind] < _KIND_RANK[known.kind]:
        items[item.remote_id] = item
