"""What every network connector offers, and the one error type they raise.

A connector speaks to one network for one account. The publishing engine calls it from an event loop, so
the network methods are coroutines; a connector built on a synchronous client runs it with
`asyncio.to_thread`. Connectors never touch the database: they get an `AccountRef` and the decrypted
credentials, and return plain values; the services persist what they return.

Contract of `publish`: it performs exactly one attempt. It never retries on its own (the engine decides,
after reconciling an unknown outcome with `find_published`), it carries `Publication.idempotency_key` to the
network when the network supports one (Mastodon's `Idempotency-Key`), and it raises `ConnectorError` with
`permanent=True` for what no retry can fix (bad credentials, media the network refuses), `needs_reconnect`
when the credentials are expired or revoked, `retry_after` when the network asks to slow down, and
`outcome_unknown=True` when the request may have reached the network (a timeout after sending, a dropped
connection): the engine then asks the network with `find_published` before it tries again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Capabilities:
    """What a connector can do; the UI and the publishing engine ask before they try."""

    publish_text: bool = True
    publish_images: bool = False
    publish_video: bool = False
    publish_link: bool = False
    first_comment: bool = False
    read_comments: bool = False
    read_mentions: bool = False
    read_direct_messages: bool = False
    metrics: bool = False
    delete: bool = False
    # Acting on what the public says (the inbox): answer in the thread, like, hide from others, delete.
    reply: bool = False
    like: bool = False
    hide_comments: bool = False
    delete_comments: bool = False
    # Comments arrive by signed webhook as well as by polling (Facebook, Instagram).
    webhooks: bool = False


@dataclass(frozen=True)
class AccountRef:
    """The account as a connector sees it: no ORM object, no database access."""

    id: str
    network: str
    handle: str
    service_url: str
    remote_id: str


@dataclass(frozen=True)
class MediaItem:
    data: bytes
    mime_type: str
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    # A signed, expiring public address of the file, for networks that download media themselves.
    public_url: str = ""


@dataclass(frozen=True)
class Publication:
    """One variant of a post, ready for one account."""

    idempotency_key: str
    text: str
    link: str = ""
    media: tuple[MediaItem, ...] = ()
    first_comment: str = ""
    hashtags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Published:
    """Where the network put it: `remote_id` (e.g. an AT-URI, a status id) and a public link if any."""

    remote_id: str
    remote_url: str = ""
    published_at: dt.datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """Who the credentials belong to, as the network says (checked when connecting)."""

    remote_id: str
    handle: str
    display_name: str = ""
    credentials: dict[str, Any] = field(default_factory=dict)  # refreshed tokens to store, if any
    credentials_expire_at: dt.datetime | None = None


class ConnectorError(Exception):
    """A network call failed. `message` is for people: the network's reason in plain words.

    `raw` keeps the network's response (secrets redacted by the connector) for the delivery's log.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        needs_reconnect: bool = False,
        retry_after: float | None = None,
        status_code: int | None = None,
        raw: str = "",
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent or needs_reconnect
        self.needs_reconnect = needs_reconnect
        self.retry_after = retry_after
        self.status_code = status_code
        self.raw = raw[:4000]
        self.outcome_unknown = outcome_unknown and not self.permanent


# --- The inbox: what the public says to the account -----------------------------------------------------
INBOUND_KINDS = ("comment", "reply", "mention", "direct_message")


@dataclass(frozen=True)
class InboundAuthor:
    """Who wrote it, as the network names them. `handle` is what a person types to reach them."""

    remote_id: str
    handle: str
    display_name: str = ""


@dataclass(frozen=True)
class InboundItem:
    """One comment, reply, mention or direct message, as the network gave it. Untrusted text.

    `remote_id` identifies the item on its network for ever (an AT-URI, a status id, a comment id): ingest
    stores each remote id once per account. `thread_id` is the remote id of what the conversation hangs on:
    for a comment or a reply, the root post (usually one of the account's own posts); for a mention that
    starts a thread, the mention itself; for a direct message, the network's conversation id.
    `parent_id` is what the item directly answers (blank when nothing). `kind` is one of INBOUND_KINDS.
    `reply_ref` carries whatever the connector needs later to answer this item in its thread (Bluesky's
    CIDs, for example); it is stored as given and handed back to `reply`.
    """

    remote_id: str
    kind: str
    text: str
    author: InboundAuthor
    created_at: dt.datetime
    thread_id: str
    parent_id: str = ""
    url: str = ""
    reply_ref: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxPage:
    """What `fetch_inbox` found: the items (any order) and the cursor to pass next time.

    The cursor is opaque to Flokk and stored only after the items are; a connector that gets its own cursor
    back must return every item newer than the one it marks (a few repeats are fine: ingest drops them).
    """

    items: tuple[InboundItem, ...]
    cursor: str


@dataclass(frozen=True)
class ReplyTarget:
    """What an answer goes under: the item answered and its thread, with the item's `reply_ref`."""

    remote_id: str
    thread_id: str
    kind: str
    reply_ref: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookEvent:
    """One item a webhook carried, for the account whose `remote_id` the network named."""

    account_remote_id: str
    item: InboundItem


class WebhookRejected(Exception):
    """A webhook request that is not signed by the network, or not a payload we understand: answer 400."""


# --- Metrics: the counters a network shows for the account's posts and for the account -----------------
@dataclass(frozen=True)
class MetricsPage:
    """What `fetch_metrics` read: running totals, as the network shows them now.

    `posts` maps a post's remote id to its counters (kind -> total; kinds as in analytics' EventKind, plus
    "reach", which does not add up); a post the network no longer has is left out. `account` holds the
    account's own counters ("follower"). `missing` lists the kinds this network does not give, so pages can
    say what is missing rather than show a zero. `demo` marks numbers made up by the sandbox network.
    """

    posts: dict[str, dict[str, int]]
    account: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    demo: bool = False


@dataclass(frozen=True)
class OAuthApp:
    """The organization's app on a network, decrypted, as a connector needs it for OAuth."""

    client_id: str
    client_secret: str
    redirect_uri: str
    # The API's base URL: the Mastodon instance, or a loopback fake in tests; blank = the network's own.
    base_url: str = ""
    options: dict[str, Any] = field(default_factory=dict)


class Connector:
    """Base of all connectors. Subclasses set `network`, `capabilities` and implement what they offer.

    OAuth networks also implement the three class/instance methods at the end. A connector that refreshes
    its tokens during a call puts the new credentials in `updated_credentials`; the engine stores them.
    """

    network: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    # Calls at once per account, and a floor between calls, so one busy account cannot trip a rate limit.
    max_concurrency_per_account: ClassVar[int] = 4

    def __init__(self, account: AccountRef, credentials: dict[str, Any], app: OAuthApp | None = None) -> None:
        self.account = account
        self.credentials = credentials
        self.app = app
        self.updated_credentials: dict[str, Any] | None = None

    async def verify(self) -> Identity:
        """Check the credentials with the network; raise `ConnectorError` if they do not work."""
        raise NotImplementedError

    async def publish(self, publication: Publication) -> Published:
        """One attempt to publish; see the module docstring for the contract."""
        raise NotImplementedError

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        """After an attempt with an unknown outcome: the post if the network has it, else None.

        Looks at the account's posts since `since`, matched by idempotency key where the network keeps
        one, else by text. Raises `ConnectorError` if the network cannot be asked right now.
        """
        raise NotImplementedError

    async def delete(self, remote_id: str) -> None:
        raise NotImplementedError

    # --- The inbox --------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        """Comments, replies, mentions and direct messages newer than `cursor` ("" the first time: the
        recent ones the network still lists, at most a few hundred). One call per poll; several pages
        inside are fine. Raises `ConnectorError` when the network cannot be asked; the cursor then stays.
        """
        raise NotImplementedError

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """Answer `target` in its thread (a direct message is answered in its conversation). One attempt,
        like `publish`."""
        raise NotImplementedError

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        raise NotImplementedError

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Hide a comment from everyone but its author (Facebook, Instagram), where the network can."""
        raise NotImplementedError

    async def delete_comment(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Remove someone else's comment under the account's post, where the network lets the owner."""
        raise NotImplementedError

    # --- Metrics ----------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """The counters of the account's posts `remote_ids` and of the account, as totals now. One call per
        reading; batches inside are fine. Raises `ConnectorError` when the network cannot be asked."""
        raise NotImplementedError

    @classmethod
    def parse_webhook(cls, app: OAuthApp, headers: dict[str, str], body: bytes) -> list[WebhookEvent]:
        """Check the signature with the app's secret and read the items; raise `WebhookRejected`."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release connections; called once the engine is done with the connector."""

    # --- OAuth networks ----------------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, app: OAuthApp, *, state: str, code_challenge: str) -> str:
        """Where to send the person to grant access (PKCE S256 `code_challenge` where supported)."""
        raise NotImplementedError

    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        """Trade the callback's code for tokens; one Identity per account the grant reaches (a person
        may manage several Facebook Pages: the organization picks which to connect)."""
        raise NotImplementedError
