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
