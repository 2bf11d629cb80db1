"""Storing what the public says: one batch of items from one account, exactly once, in one transaction.

The path every message takes, whether polled or pushed by webhook: drop repeats (derived ids, `ids.py`),
clean the text, find or start its conversation (a reply joins its parent's; a comment on one of our posts
starts its own, linked to the post), detect language, sentiment and intent, route new conversations and
start their SLA timers, and store it all with a few set-based statements. Nothing here asks the database
per item: at a million messages that is the difference between minutes and hours.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.services.rollups import NewEvent, record_events
from flokk.channels.connectors.base import INBOUND_KINDS, InboundAuthor, InboundItem
from flokk.channels.models import Account
from flokk.core.bulk import insert_rows, rows_where_in, update_rows
from flokk.inbox.choices import ConversationStatus, Direction, MessageKind, Sentiment
from flokk.inbox.ids import contact_id, conversation_id, message_id
from flokk.inbox.models import Contact, Conversation, Message
from flokk.inbox.services.analysis import Analysis, analyze_message, intent_rules_for
from flokk.inbox.services.routing import Router
from flokk.inbox.services.settings import inbox_settings
from flokk.inbox.services.sla import SlaClock
from flokk.publishing.models import Delivery

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000
_SURROGATES = re.compile("[\ud800-\udfff]")
# Kept in `reply_ref` beside what the connector gave: the item's thread, which `reply` hands back to it.
THREAD_KEY = "_thread_id"

MESSAGE_FIELDS = (
    "id", "organization_id", "conversation_id", "account_id", "contact_id", "direction", "kind", "remote_id",
    "parent_remote_id", "text", "author_handle", "author_name", "url", "reply_ref", "received_at",
    "created_at", "sentiment", "sentiment_score", "language", "intent", "status", "sent_by_id",
    "approved_by_id", "idempotency_key", "lease_until", "attempts", "error", "liked_at", "hidden_at",
    "deleted_at",
)  # fmt: skip
CONVERSATION_FIELDS = (
    "id", "organization_id", "account_id", "thread_remote_id", "kind", "post_id", "contact_id", "status",
    "priority", "team", "assignee_id", "intent", "sentiment", "language", "preview", "message_count",
    "first_message_at", "last_message_at", "first_responded_at", "resolved_at", "first_response_due_at",
    "resolution_due_at", "sla_warned_at", "sla_breached_at",
)  # fmt: skip
# What a batch needs of a conversation already stored (see _ConversationState).
CONVERSATION_STATE_FIELDS = (
    "id", "status", "assignee_id", "priority", "first_message_at", "last_message_at", "preview", "sentiment",
)  # fmt: skip
CONVERSATION_UPDATE_FIELDS = ("message_count+", "last_message_at", "preview", "sentiment")
REOPEN_FIELDS = ("status", "resolved_at", "resolution_due_at")
INTENT_COLUMN = CONVERSATION_FIELDS.index("intent")


@dataclass
class IngestReport:
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    new_conversations: list[uuid.UUID] = field(default_factory=list)


def clean_text(text: str) -> str:
    """What the database can store of untrusted text: no NUL, no lone surrogates, at most MAX_TEXT."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATES.sub("\ufffd", text)
    return text[:MAX_TEXT]


def _clip(value: str, length: int) -> str:
    return clean_text(value)[:length] if value else ""


def _usable_id(value: str) -> bool:
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _usable(item: object, account: Account) -> bool:
    return (
        isinstance(item, InboundItem)
        and bool(item.remote_id)
        and item.kind in INBOUND_KINDS
        and isinstance(item.text, str)
        and isinstance(item.created_at, dt.datetime)
        and item.created_at.tzinfo is not None
        and item.author.remote_id != account.remote_id  # our own answers come back from some networks
        # Ids are derived from these, looked up and sent back to the network: no NUL, no lone surrogate.
        and all(map(_usable_id, (item.remote_id, item.parent_id, item.thread_id, item.author.remote_id)))
    )


def _clean_ref(reply_ref: dict[str, str], thread_id: str) -> dict[str, str]:
    """The connector's reply reference, storable: JSON in the database takes no NUL or lone surrogate."""
    ref = {**reply_ref, THREAD_KEY: thread_id}
    return {
        clean_text(key) if isinstance(key, str) else key: clean_text(value)
        if isinstance(value, str)
        else value
        for key, value in ref.items()
    }


@dataclass
class _ConversationState:
    """A conversation as this batch sees it: its stored fields (if any) and what the batch adds."""

    id: uuid.UUID
    is_new: bool
    status: str
    assignee_id: uuid.UUID | None
    priority: str
    first_message_at: dt.datetime
    last_message_at: dt.datetime
    preview: str = ""
    sentiment: str = ""
    added: int = 0
    status_changed: bool = False
    row: list[object] = field(default_factory=list)


class _Batch:
    """One call of `ingest`: the organization's rules and clocks, read once."""

    def __init__(self, account: Account, now: dt.datetime) -> None:
        self.account = account
        self.organization = account.organization
        self.now = now
        self.settings = inbox_settings(self.organization)
        self.router = Router(self.organization, self.settings)
        self.clock = SlaClock.for_org(self.organization)

    def parents(self, items: list[tuple[uuid.UUID, _Prepared]]) -> dict[uuid.UUID, uuid.UUID]:
        """Message id -> conversation id of the stored messages these items answer.

        Parents in this very batch are not stored yet: only the others are looked up, by derived id, then
        among our own answers by remote id.
        """
        account = self.account
        in_batch = {mid for mid, _new in items}
        wanted = {new.parent for _mid, new in items if new.parent is not None and new.parent not in in_batch}
        stored = rows_where_in(Message, ("id", "conversation_id"), "id", wanted)
        found: dict[uuid.UUID, uuid.UUID] = {mid: conversation for mid, conversation in stored}
        remote_parents = list(
            {new.item.parent_id for _mid, new in items if new.parent in wanted and new.parent not in found}
        )
        ours = rows_where_in(
            Message,
            ("remote_id", "conversation_id"),
            "remote_id",
            remote_parents,
            account_id=account.id,
            direction=Direction.OUTBOUND,
        )
        for remote_id, conversation in ours:
            found[message_id(account.id, remote_id)] = conversation
        return found

    def our_posts(self, items: list[tuple[uuid.UUID, _Prepared]]) -> dict[str, uuid.UUID]:
        """Remote id -> post id, for the threads that hang on posts this account published."""
        roots = {new.item.thread_id for _mid, new in items if new.item.thread_id}
        posts = rows_where_in(
            Delivery, ("remote_id", "post_id"), "remote_id", roots, account_id=self.account.id
        )
        return {remote_id: post for remote_id, post in posts}


class _People:
    """Who wrote the batch's items: each author's contact id and clipped names, worked out once."""

    def __init__(self, account: Account) -> None:
        self.organization_id = account.organization_id
        self.network = account.network
        self.contacts: dict[uuid.UUID, tuple[object, ...]] = {}  # the first row seen of each contact
        self._seen: dict[InboundAuthor, tuple[uuid.UUID, str, str]] = {}

    def of(self, author: InboundAuthor, seen_at: dt.datetime) -> tuple[uuid.UUID, str, str]:
        """(contact id, handle, display name) as the message stores them."""
        known = self._seen.get(author)
        if known is None:
            person = contact_id(self.organization_id, self.network, author.remote_id)
            known = self._seen[author] = (person, _clip(author.handle, 300), _clip(author.display_name, 300))
            if person not in self.contacts:
                remote_id = _clip(author.remote_id, 300)
                handle = known[1] or remote_id
                self.contacts[person] = (
                    person, self.organization_id, self.network, remote_id, handle, known[2], seen_at,
                )  # fmt: skip
        return known


def ingest(account: Account, items: Iterable[object], *, now: dt.datetime | None = None) -> IngestReport:
    """Store the new ones among `items` (InboundItems) of `account`; count the repeats and the unusable."""
    report = IngestReport()
    batch_items: dict[uuid.UUID, InboundItem] = {}
    for item in items:
        if not _usable(item, account):
            report.skipped += 1
            continue
        assert isinstance(item, InboundItem)
        mid = message_id(account.id, item.remote_id)
        if mid in batch_items:
            report.duplicates += 1
        else:
            batch_items[mid] = item
    if not batch_items:
        return report
    now = now or timezone.now()
    # Language, sentiment and intent (most of the work) before the write transaction, for the items not
    # stored yet: another worker (SQLite has one writer at a time) or the web server is held up less.
    people = _People(account)
    prepared = _prepare(account, people, batch_items, _stored(batch_items))
    if not prepared:
        report.duplicates += len(batch_items)
        return report
    fresh = sorted(prepared.items(), key=lambda pair: pair[1].item.created_at)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: undone whole if one of the messages is there by now
                added = _store(_Batch(account, now), fresh, people)
        except IntegrityError:  # a webhook stored some of them meanwhile: store the others
            stored = _stored(prepared)
            fresh = [(mid, new) for mid, new in fresh if mid not in stored]
            added = _store(_Batch(account, now), fresh, people) if fresh else IngestReport()
    report.stored, report.new_conversations = added.stored, added.new_conversations
    report.duplicates += len(batch_items) - added.stored
    return report


@dataclass(slots=True)
class _Prepared:
    """A new item with what is worked out before the write transaction."""

    item: InboundItem
    text: str
    analysis: Analysis
    person: uuid.UUID
    handle: str
    name: str
    parent: uuid.UUID | None  # message id of what it answers


def _stored(ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    return {mid for (mid,) in rows_where_in(Message, ("id",), "id", ids)}


def _prepare(
    account: Account, people: _People, items: dict[uuid.UUID, InboundItem], stored: set[uuid.UUID]
) -> dict[uuid.UUID, _Prepared]:
    rules = intent_rules_for(account.organization)
    prepared: dict[uuid.UUID, _Prepared] = {}
    for mid, item in items.items():
        if mid in stored:
            continue
        text = clean_text(item.text)
        parent = message_id(account.id, item.parent_id) if item.parent_id else None
        prepared[mid] = _Prepared(
            item, text, analyze_message(text, rules), *people.of(item.author, item.created_at), parent
        )
    return prepared


def _store(batch: _Batch, fresh: list[tuple[uuid.UUID, _Prepared]], people: _People) -> IngestReport:
    """Store the `fresh` items (none of them stored yet): IntegrityError if one is there by now."""
    report = IngestReport()
    account, organization, now = batch.account, batch.organization, batch.now
    conversation_of = batch.parents(fresh)
    posts = batch.our_posts(fresh)

    # Which conversation each item belongs to, before reading the conversations in one go.
    keys: list[tuple[uuid.UUID, str]] = []
    thread_conversations: dict[str, uuid.UUID] = {}
    for mid, new in fresh:
        item, parent = new.item, new.parent
        if parent is not None and parent in conversation_of:
            conversation_of[mid] = conversation_of[parent]
            keys.append((conversation_of[mid], ""))
            continue
        if item.kind == MessageKind.DIRECT_MESSAGE:
            thread_key = f"dm:{item.thread_id or item.author.remote_id}"
        elif not item.thread_id or item.thread_id in posts or item.thread_id == item.remote_id:
            thread_key = item.remote_id  # each comment on our post is a conversation of its own
        else:
            thread_key = item.thread_id
        cid = thread_conversations.get(thread_key)
        if cid is None:
            cid = thread_conversations[thread_key] = conversation_id(account.id, thread_key)
        conversation_of[mid] = cid
        keys.append((cid, thread_key))

    states: dict[uuid.UUID, _ConversationState] = {}
    for row in rows_where_in(Conversation, CONVERSATION_STATE_FIELDS, "id", {cid for cid, _key in keys}):
        states[row[0]] = _ConversationState(row[0], False, *row[1:])

    message_rows: list[tuple[object, ...]] = []
    for (mid, new), (cid, thread_key) in zip(fresh, keys, strict=True):
        item, text, analysis, person = new.item, new.text, new.analysis, new.person
        state = states.get(cid)
        if state is None:
            state = states[cid] = _new_conversation(
                batch, cid, thread_key, item, text, analysis, person, posts
            )
            report.new_conversations.append(cid)
        _add_to(batch, state, item, text, analysis)
        reply_ref = _clean_ref(item.reply_ref, item.thread_id)
        message_rows.append(
            (
                mid, organization.id, cid, account.id, person, Direction.INBOUND, item.kind,
                _clip(item.remote_id, 500), _clip(item.parent_id, 500), text, new.handle, new.name,
                _safe_url(item.url), reply_ref, item.created_at, now,
                analysis.sentiment, analysis.score, analysis.language, analysis.intent, "", None, None, "",
                None, 0, "", None, None, None,
            )
        )  # fmt: skip

    _write_contacts(list(people.contacts.values()))
    new_rows = [state.row for state in states.values() if state.is_new]
    insert_rows(Conversation, CONVERSATION_FIELDS, new_rows, ignore_conflicts=True)
    touched = [state for state in states.values() if not state.is_new]
    update_rows(
        Conversation,
        CONVERSATION_UPDATE_FIELDS,
        [(s.added, s.last_message_at, s.preview, s.sentiment, s.id) for s in touched],
    )
    update_rows(
        Conversation,
        REOPEN_FIELDS,
        [
            (s.status, None, batch.clock.due(s.priority, s.last_message_at).resolution_at, s.id)
            for s in touched
            if s.status_changed
        ],
    )
    insert_rows(Message, MESSAGE_FIELDS, message_rows)
    _count_for_analytics(batch, fresh)
    batch.router.save_positions()
    report.stored = len(message_rows)
    _after_commit(batch, [state for state in states.values() if state.is_new])
    return report


def _count_for_analytics(batch: _Batch, fresh: list[tuple[uuid.UUID, _Prepared]]) -> None:
    """Messages with a known sentiment, and the negative ones, as analytics events (one per kind and
    quarter hour they were written in): the dashboard's share of negative feedback reads their rollups, not
    the messages. Quarter hours, as the rollups' days do: some time zones are off UTC by half an hour."""
    counts: Counter[tuple[dt.datetime, str]] = Counter()
    for _mid, new in fresh:
        sentiment, written = new.analysis.sentiment, new.item.created_at
        if not sentiment:
            continue
        quarter = written.replace(minute=written.minute // 15 * 15, second=0, microsecond=0)
        counts[(quarter, EventKind.MESSAGE)] += 1
        if sentiment == Sentiment.NEGATIVE:
            counts[(quarter, EventKind.NEGATIVE_MESSAGE)] += 1
    account = batch.account
    record_events(
        NewEvent(
            batch.organization.id,
            quarter,
            kind,
            count,
            account.network,
            EventSource.INBOX,
            account_id=account.id,
        )
        for (quarter, kind), count in counts.items()
    )


def _new_conversation(
    batch: _Batch,
    cid: uuid.UUID,
    thread_key: str,
    item: InboundItem,
    text: str,
    analysis: Analysis,
    person: uuid.UUID,
    posts: dict[str, uuid.UUID],
) -> _ConversationState:
    route = batch.router.route(
        account_id=batch.account.id,
        intent=analysis.intent,
        sentiment=analysis.sentiment,
        language=analysis.language,
        text=text,
    )
    start = min(item.created_at, batch.now)
    due = batch.clock.due(route.priority, start)
    status = ConversationStatus.ASSIGNED if route.assignee_id else ConversationStatus.NEW
    state = _ConversationState(cid, True, status, route.assignee_id, route.priority, start, start)
    state.row = [
        cid, batch.organization.id, batch.account.id, _clip(thread_key, 500), item.kind,
        posts.get(item.thread_id), person, status, route.priority, route.team, route.assignee_id,
        analysis.intent, analysis.sentiment, analysis.language, "", 0, start, start, None, None,
        due.first_response_at, due.resolution_at, None, None,
    ]  # fmt: skip
    return state


def _add_to(
    batch: _Batch, state: _ConversationState, item: InboundItem, text: str, analysis: Analysis
) -> None:
    state.added += 1
    when = min(item.created_at, batch.now)
    if when >= state.last_message_at:
        state.last_message_at = when
        state.preview = text[:200]
        state.sentiment = analysis.sentiment
    if not state.is_new and state.status in (ConversationStatus.RESOLVED, ConversationStatus.WAITING):
        state.status_changed = True  # the public wrote again: back in the team's queue
        state.status = ConversationStatus.ASSIGNED if state.assignee_id else ConversationStatus.NEW
    if state.is_new:
        row = state.row
        row[14], row[15], row[17] = state.preview, state.added, state.last_message_at
        row[12] = state.sentiment


def _safe_url(url: str) -> str:
    """Links from the network are shown as links: only http(s), never `javascript:` and the like."""
    url = _clip(url, 1000)
    return url if url.startswith(("https://", "http://")) else ""


def _write_contacts(rows: list[tuple[object, ...]]) -> None:
    insert_rows(
        Contact,
        ("id", "organization_id", "network", "remote_id", "handle", "display_name", "first_seen_at"),
        rows,
        ignore_conflicts=True,  # the people who wrote before
    )


def _after_commit(batch: _Batch, new: list[_ConversationState]) -> None:
    if not new:
        return
    from flokk.inbox.services.notices import announce_new_conversations

    # What routing decided is at hand: no need to read the new conversations back.
    decided = [(state.id, state.assignee_id, str(state.row[INTENT_COLUMN])) for state in new]
    transaction.on_commit(lambda: announce_new_conversations(batch.organization, decided))
