"""Reading a Mastodon account's inbox: mention notifications as `InboundItem`s, and answers to them.

Everything the public addresses to an account on Mastodon arrives as a `mention` notification: a public
mention, a reply (Mastodon clients mention the author they answer) and a direct message (a status with
`visibility: direct`, delivered only to the accounts it mentions). The connector pages through
`GET /api/v1/notifications?types[]=mention` and turns each notification's status into an item here.

Direct messages and threads: Mastodon's conversations (`GET /api/v1/conversations`) are the account's
view of a direct thread (a thread and its participants), identified by an `id` and carrying only their
`accounts` and `last_status`; asking for each status's thread would cost a call per item. So the
connector reads the latest conversations once per poll that holds a direct message and gives each direct
message, in this order: the conversation whose last status it is; the conversation of a status it
answers or that answers it inside the batch; the only conversation with exactly its participants. One
still unmatched hangs on its parent (`in_reply_to_id`), which ingest joins to the parent's conversation,
or on itself when it starts one. Conversation thread ids read `conversation:<id>`, never a status id.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import logging
import re
from collections.abc import Iterable
from typing import Any

from flokk.channels.connectors.base import InboundAuthor, InboundItem

logger = logging.getLogger(__name__)

CONVERSATION_PREFIX = "conversation:"
_SKIPPED_ELEMENTS = frozenset({"script", "style", "template", "iframe", "object"})


class _TextOfHtml(html.parser.HTMLParser):
    """Text of a status's HTML: line breaks from <br> and <p>, entities decoded, tags and the contents of
    script-like elements dropped (Mastodon sanitizes its own HTML, a remote server may not)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_ELEMENTS:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(content: str) -> str:
    """A status's HTML `content` as the plain text that was posted (links and hashtags spelled out).

    Entities are decoded once, by the parser: `&amp;lt;` stays the literal `&lt;` that was typed."""
    parser = _TextOfHtml()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


def full_handle(acct: str, host: str) -> str:
    """`user@instance` for everyone: a local account's `acct` is only `user`."""
    acct = acct.strip().lstrip("@")
    return acct if "@" in acct else f"{acct}@{host}"


def parse_datetime(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def kind_of(status: dict[str, Any]) -> str:
    if status.get("visibility") == "direct":
        return "direct_message"
    return "reply" if status.get("in_reply_to_id") else "mention"


def mention_status(notification: Any) -> dict[str, Any] | None:
    """The status of a mention notification, or None when the notification carries none."""
    if not isinstance(notification, dict) or notification.get("type") != "mention":
        return None
    status = notification.get("status")
    return status if isinstance(status, dict) and status.get("id") else None


def _participants(status: dict[str, Any], own_id: str) -> frozenset[str]:
    account = status.get("account")
    ids = {str(account.get("id"))} if isinstance(account, dict) else set()
    ids |= {str(m.get("id")) for m in status.get("mentions") or [] if isinstance(m, dict)}
    return frozenset(ids - {own_id})


def conversation_threads(
    statuses: Iterable[dict[str, Any]], conversations: Iterable[Any], own_id: str = ""
) -> dict[str, str]:
    """Thread ids of direct statuses: their conversation's, when its last status, the `in_reply_to_id`
    chain inside the batch or its participants tie them to one (see the module docstring)."""
    direct = {str(s["id"]): s for s in statuses if s.get("visibility") == "direct"}
    known = [c for c in conversations if isinstance(c, dict) and c.get("id")]
    threads: dict[str, str] = {}
    by_participants: dict[frozenset[str], list[str]] = {}
    for conversation in known:
        thread = CONVERSATION_PREFIX + str(conversation["id"])
        last = conversation.get("last_status")
        if isinstance(last, dict) and str(last.get("id")) in direct:
            threads[str(last["id"])] = thread
        accounts = conversation.get("accounts") or []
        people = frozenset(str(a.get("id")) for a in accounts if isinstance(a, dict)) - {own_id}
        by_participants.setdefault(people, []).append(thread)
    changed = True
    while changed:  # at most one pass per status in the batch
        changed = False
        for status_id, status in direct.items():
            parent = str(status.get("in_reply_to_id") or "")
            if status_id in threads and parent in direct and parent not in threads:
                threads[parent] = threads[status_id]
                changed = True
            elif status_id not in threads and parent in threads:
                threads[status_id] = threads[parent]
                changed = True
    for status_id, status in direct.items():
        candidates = by_participants.get(_participants(status, own_id), [])
        if status_id not in threads and len(candidates) == 1:
            threads[status_id] = candidates[0]
    return threads


def item_of(status: dict[str, Any], *, host: str, own_id: str, threads: dict[str, str]) -> InboundItem:
    """The inbox item of one status; `KeyError`, `TypeError` or `ValueError` when it is malformed.

    `reply_ref` keeps what `reply` needs without asking again: the visibility to answer with and the
    accounts to mention (the author first, then the others the status mentions, never the account
    itself), since Mastodon delivers a direct answer only to the accounts it mentions."""
    account = status["account"]
    author = InboundAuthor(
        remote_id=str(account["id"]),
        handle=full_handle(str(account["acct"]), host),
        display_name=str(account.get("display_name") or ""),
    )
    if not author.remote_id or author.handle.startswith("@") or author.handle.endswith("@"):
        raise ValueError("status without an author's handle")
    status_id = str(status["id"])
    parent_id = str(status.get("in_reply_to_id") or "")
    kind = kind_of(status)
    if kind == "direct_message":
        thread_id = threads.get(status_id) or parent_id or status_id
    else:
        thread_id = parent_id or status_id
    others = [
        full_handle(str(mention["acct"]), host)
        for mention in status.get("mentions") or []
        if isinstance(mention, dict) and mention.get("acct") and str(mention.get("id")) != own_id
    ]
    mentions = [author.handle] if author.remote_id != own_id else []
    mentions += [handle for handle in others if handle not in mentions]
    return InboundItem(
        remote_id=status_id,
        kind=kind,
        text=plain_text(str(status.get("content") or "")),
        author=author,
        created_at=parse_datetime(status["created_at"]),
        thread_id=thread_id,
        parent_id=parent_id,
        url=str(status.get("url") or status.get("uri") or ""),
        reply_ref={"visibility": str(status.get("visibility") or "public"), "mentions": " ".join(mentions)},
    )


def items_of(
    statuses: list[dict[str, Any]], *, host: str, own_id: str, conversations: Iterable[Any] = ()
) -> list[InboundItem]:
    """Items of the statuses; a malformed one is logged and left out, the others are kept."""
    threads = conversation_threads(statuses, conversations, own_id)
    items = []
    for status in statuses:
        try:
            items.append(item_of(status, host=host, own_id=own_id, threads=threads))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            logger.warning("skipping malformed Mastodon status %r: %r", status.get("id"), error)
    return items


def _mentions(handle: str, host: str) -> re.Pattern[str]:
    user, _, domain = handle.partition("@")
    suffix = f"(?:@{re.escape(domain)})?" if domain == host else f"@{re.escape(domain)}"
    return re.compile(rf"(?<![\w@/])@{re.escape(user)}{suffix}(?![\w@.-]*\w)", re.IGNORECASE)


def reply_text(text: str, handles: Iterable[str], host: str) -> str:
    """The answer as posted: the handles the text does not mention yet, then the text.

    Mastodon notifies (and for direct messages, delivers to) only the accounts a status mentions."""
    text = text.strip()
    missing = [handle for handle in handles if handle and not _mentions(handle, host).search(text)]
    return " ".join([*(f"@{handle}" for handle in missing), text]).strip()
