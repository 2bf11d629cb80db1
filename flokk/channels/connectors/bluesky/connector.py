"""The Bluesky connector: posts to the account's PDS with the atproto SDK, exactly once per idempotency key.

Exactly once: each post's record key (`rkey`) is derived from the publication's idempotency key, and the key
itself is kept in the record (`flokk_idempotency_key`; lexicons allow extra fields). A second create with the
same key fails on the network (the PDS refuses a record key that exists), and `publish` then reads the
record back and reports it as published; `find_published` asks for that record key directly.

Publishing uses only `com.atproto.*` (the account's PDS). The inbox reads `app.bsky.*` (notifications, posts),
which the PDS answers by proxying to the AppView it is configured with (bsky.social: Bluesky's; the local
devnet: its own), so an account needs nothing but its PDS `service_url`. Answers (`reply`, `like`) are records
with record keys derived from what they answer or from the idempotency key, so a repeated attempt never makes
a second one; `hide` adds the reply to the thread's `app.bsky.feed.threadgate` `hiddenReplies`, which the
AppView honours for everyone but the reply's author. Bluesky chat (`chat.bsky.*`) is a separate service and
not read: no direct messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, ClassVar

import httpx
from atproto_client import AsyncClient, models
from atproto_client.exceptions import RateLimitExceededError, RequestErrorBase
from atproto_core.uri import AtUri
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import (
    AccountRef,
    Capabilities,
    Connector,
    ConnectorError,
    Identity,
    InboundItem,
    InboxPage,
    MediaItem,
    MetricsPage,
    OAuthApp,
    Publication,
    Published,
    ReplyTarget,
)
from flokk.channels.connectors.bluesky import metrics
from flokk.channels.connectors.bluesky.auth import (
    SESSION_ERRORS,
    SessionKeeper,
    error_message,
    error_name,
)
from flokk.channels.connectors.bluesky.inbox import inbound_item, merge, parse_datetime
from flokk.channels.connectors.bluesky.richtext import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    compose_text,
    facets,
    grapheme_count,
)
from flokk.channels.networks import Network

logger = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
LIKE = "app.bsky.feed.like"
THREADGATE = "app.bsky.feed.threadgate"
MAX_HIDDEN_REPLIES = 300  # the threadgate lexicon's maxLength
INBOX_REASONS = ("reply", "mention", "quote")
INBOX_PAGE_SIZE = 100  # listNotifications' maximum
INBOX_MAX_PAGES = 10  # per poll; a busier account is read up to this and then from the newest again
# Each poll reads back this far behind the newest item seen, because a notification can become visible after
# newer ones: the AppView lists them by the event's time (or the post's createdAt when earlier), indexes
# repositories in parallel, and writes notifications just after the post's own transaction. What was seen
# already comes again and ingest drops it.
INBOX_OVERLAP = dt.timedelta(minutes=5)
IDEMPOTENCY_FIELD = "flokk_idempotency_key"
MAX_IMAGES = 4
LIST_PAGES = 10  # find_published's fallback looks at most at this many pages of 100 posts
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Record keys are TIDs (the post lexicon says so, and the PDS checks). Ours carry a timestamp in a fixed
# window of 2^40 µs (~12.7 days) from 2023-01-01 plus a 10-bit clock id, all taken from the key's hash:
# 50 bits, so two keys of one account never meet in practice, and the same key always gives the same rkey.
_TID_EPOCH_US = int(dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000


def record_key_for(idempotency_key: str) -> str:
    """The post's record key (a valid TID) for an idempotency key; always the same for the same key."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    timestamp_us = _TID_EPOCH_US + (digest & ((1 << 40) - 1))
    clock_id = (digest >> 40) & 0x3FF
    value = (timestamp_us << 10) | clock_id
    chars = []
    for _digit in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def retry_after_seconds(headers: dict[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from `Retry-After` (seconds) or `ratelimit-reset` (a Unix time)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    if "retry-after" in lowered:
        try:
            return max(float(lowered["retry-after"]), 0.0)
        except ValueError:
            pass
    if "ratelimit-reset" in lowered:
        try:
            reset = float(lowered["ratelimit-reset"])
        except ValueError:
            return None
        return max(reset - (time.time() if now is None else now), 0.0)
    return None


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def connector_error(exc: BaseException, *, secrets: list[str] | None = None) -> ConnectorError:
    """The `ConnectorError` for a failed call: who can fix it (nobody, a retry, a reconnect) and why."""
    secrets = secrets or []
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return ConnectorError("Bluesky did not answer in time; it will be tried again.")
    if isinstance(exc, httpx.HTTPError):
        return ConnectorError(f"Could not reach Bluesky ({type(exc).__name__}); it will be tried again.")
    if not isinstance(exc, RequestErrorBase) or exc.response is None:
        # Transport failures (NetworkError, InvokeTimeoutError) come without a response.
        return ConnectorError(
            f"Could not reach Bluesky ({exc or type(exc).__name__}); it will be tried again."
        )

    status = exc.response.status_code
    name = error_name(exc)
    message = error_message(exc)
    raw = redact(json.dumps({"status": status, "error": name, "message": message}), secrets)
    message = redact(message, secrets)
    if status in (401, 403) or name in SESSION_ERRORS:
        return ConnectorError(
            f"Bluesky refused the account's credentials ({message}): reconnect the account.",
            needs_reconnect=True,
            status_code=status,
            raw=raw,
        )
    if status == 429 or isinstance(exc, RateLimitExceededError):
        return ConnectorError(
            "Bluesky asks to slow down (rate limit).",
            retry_after=retry_after_seconds(dict(exc.response.headers)),
            status_code=status,
            raw=raw,
        )
    if status == 413 or (400 <= status < 500 and status != 409):
        return ConnectorError(
            f"Bluesky refused the post: {message}", permanent=True, status_code=status, raw=raw
        )
    return ConnectorError(
        f"Bluesky had a problem ({status} {message}); it will be tried again.", status_code=status, raw=raw
    )


def _created_at(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_datetime(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _as_dict(value: Any) -> dict[str, Any]:
    """A record's value as plain JSON data, whether the SDK gave a model or a dict."""
    if isinstance(value, dict):
        return value
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        data: dict[str, Any] = dump(mode="json", by_alias=True, exclude_none=True)
        return data
    return {}


class BlueskyConnector(Connector):
    """One Bluesky account on its PDS (`AccountRef.service_url`; bsky.social when blank).

    Credentials: `{"app_password", "session"}` (see `auth.py`). When the network renews the session during
    a call, `updated_credentials` holds the new credentials and the publishing engine stores them.
    """

    network: ClassVar[str] = Network.BLUESKY
    capabilities: ClassVar[Capabilities] = Capabilities(
        publish_text=True,
        publish_images=True,
        publish_video=False,
        publish_link=True,
        delete=True,
        read_comments=True,  # replies under the account's posts (kind "reply")
        read_mentions=True,  # mentions and quotes
        read_direct_messages=False,  # Bluesky chat is a separate service (chat.bsky.*)
        reply=True,
        like=True,
        hide_comments=True,  # replies under the account's own posts, via the threadgate
        delete_comments=False,  # nobody can delete another account's record
        metrics=True,  # likes, reposts, replies, quotes and followers; no impressions (see metrics.py)
    )

    def __init__(self, account: AccountRef, credentials: dict[str, Any], app: OAuthApp | None = None) -> None:
        super().__init__(account, credentials, app)
        self._keeper = SessionKeeper(
            self.account.service_url or "https://bsky.social",
            self.account.remote_id or self.account.handle,
            credentials,
            on_change=self._session_changed,
        )

    def _session_changed(self, credentials: dict[str, Any]) -> None:
        self.updated_credentials = credentials

    @property
    def credentials_now(self) -> dict[str, Any]:
        """The credentials with the session as it is now (refreshed or renewed): store these after use."""
        return dict(self._keeper.credentials)

    def _secrets(self) -> list[str]:
        session = self._keeper.session
        tokens = [session.access_jwt, session.refresh_jwt] if session else []
        return [str(self._keeper.credentials.get("app_password") or ""), *tokens]

    def _error(self, exc: BaseException) -> ConnectorError:
        return connector_error(exc, secrets=self._secrets())

    @property
    def _did(self) -> str:
        session = self._keeper.session
        return session.did if session else self.account.remote_id

    @property
    def _handle(self) -> str:
        session = self._keeper.session
        return session.handle if session else self.account.handle

    async def verify(self) -> Identity:
        """Log in with the handle and app password; the identity carries the session to store."""
        session = await self._keeper.login(self._error)
        self.credentials = self.credentials_now
        return Identity(remote_id=session.did, handle=session.handle, credentials=self.credentials_now)

    async def publish(self, publication: Publication) -> Published:
        """One attempt: upload the images, then create the post under the key's record key.

        When that record key is already taken (an earlier attempt got through), the record is read back and
        returned as the result, so a retried publication never makes a second post.
        """
        text = compose_text(publication.text, link=publication.link, hashtags=publication.hashtags)
        _check_length(text)
        if len(publication.media) > MAX_IMAGES:
            raise ConnectorError(f"Bluesky takes at most {MAX_IMAGES} images a post.", permanent=True)
        if any(not item.mime_type.startswith("image/") for item in publication.media):
            raise ConnectorError("Bluesky posts from Flokk take images only (no video yet).", permanent=True)
        rkey = record_key_for(publication.idempotency_key)

        async def create(client: AsyncClient) -> Published:
            record: dict[str, Any] = {
                "$type": POST,
                "text": text,
                "createdAt": _created_at(),
                IDEMPOTENCY_FIELD: publication.idempotency_key,
            }
            if found := facets(text):
                record["facets"] = found
            if publication.media:
                record["embed"] = await self._images_embed(client, publication.media)
            elif publication.link:
                record["embed"] = {
                    "$type": "app.bsky.embed.external",
                    "external": {"uri": publication.link, "title": publication.link, "description": ""},
                }
            return await self._create_post(client, rkey, record)

        return await self._keeper.call(create, self._error)

    async def _create_post(self, client: AsyncClient, rkey: str, record: dict[str, Any]) -> Published:
        """Create the post under `rkey`; if an earlier attempt with the same key made it, return that one."""
        key = record[IDEMPOTENCY_FIELD]
        try:
            response = await client.com.atproto.repo.create_record(
                {"repo": self._did, "collection": POST, "rkey": rkey, "record": record}
            )
        except RequestErrorBase as exc:
            # The PDS answers a taken record key with a server error, not a conflict: look before failing.
            if _maybe_taken(exc):
                existing = await self._get(client, rkey)
                if existing is not None and existing.details.get(IDEMPOTENCY_FIELD) == key:
                    return existing
            raise
        return self._published(response.uri, rkey, record["createdAt"], {"cid": response.cid})

    async def _images_embed(self, client: AsyncClient, media: tuple[MediaItem, ...]) -> dict[str, Any]:
        images = []
        for item in media:
            uploaded = await client.com.atproto.repo.upload_blob(
                item.data, headers={"Content-Type": item.mime_type}
            )
            blob = uploaded.blob
            image: dict[str, Any] = {
                "image": {
                    "$type": "blob",
                    "ref": {"$link": _cid(blob.ref)},
                    "mimeType": blob.mime_type,
                    "size": blob.size,
                },
                "alt": item.alt_text,
            }
            if item.width and item.height:
                image["aspectRatio"] = {"width": item.width, "height": item.height}
            images.append(image)
        return {"$type": "app.bsky.embed.images", "images": images}

    def _published(
        self, uri: str, rkey: str, created_at: Any, details: dict[str, Any] | None = None
    ) -> Published:
        return Published(
            remote_id=uri,
            remote_url=f"https://bsky.app/profile/{self._handle}/post/{rkey}",
            published_at=_parse_datetime(created_at),
            details=details or {},
        )

    async def _get(self, client: AsyncClient, rkey: str) -> Published | None:
        try:
            response = await client.com.atproto.repo.get_record(
                {"repo": self._did, "collection": POST, "rkey": rkey}
            )
        except RequestErrorBase as exc:
            if error_name(exc) == "RecordNotFound":
                return None
            raise
        value = _as_dict(response.value)
        return self._published(
            response.uri,
            rkey,
            value.get("createdAt"),
            {"cid": response.cid, IDEMPOTENCY_FIELD: value.get(IDEMPOTENCY_FIELD, "")},
        )

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        """The post of this idempotency key: by its record key, else among the posts since `since`."""
        key = publication.idempotency_key

        async def find(client: AsyncClient) -> Published | None:
            found = await self._get(client, record_key_for(key))
            if found is not None and found.details.get(IDEMPOTENCY_FIELD) == key:
                return found
            # A safety net only (this connector always uses the derived record key): look through the
            # latest records for the key. Pages go by record key, not time, so `since` cannot end it early.
            cursor = None
            for _page in range(LIST_PAGES):
                page = await client.com.atproto.repo.list_records(
                    {"repo": self._did, "collection": POST, "limit": 100, "cursor": cursor}
                )
                for item in page.records:
                    value = _as_dict(item.value)
                    if value.get(IDEMPOTENCY_FIELD) == key:
                        rkey = AtUri.from_str(item.uri).rkey
                        return self._published(item.uri, rkey, value.get("createdAt"), {"cid": item.cid})
                cursor = page.cursor
                if not cursor or not page.records:
                    break
            return None

        return await self._keeper.call(find, self._error)

    async def delete(self, remote_id: str) -> None:
        """Delete the post (`remote_id` is its AT-URI); deleting one that is gone already is not an error."""
        uri = AtUri.from_str(remote_id)
        if uri.collection != POST:
            raise ConnectorError(f"Not a Bluesky post: {remote_id}", permanent=True)

        async def delete(client: AsyncClient) -> None:
            await client.com.atproto.repo.delete_record(
                {"repo": uri.host, "collection": POST, "rkey": uri.rkey}
            )

        await self._keeper.call(delete, self._error)

    # --- The inbox --------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        """Replies, mentions and quotes since `cursor` (the newest `indexedAt` seen, an ISO string).

        The first call ("" or an unreadable cursor) returns the latest page (up to 100). Later calls page back
        with the network's own cursor until the notifications are older than `cursor` minus INBOX_OVERLAP.
        """
        since = parse_datetime(cursor)

        async def fetch(client: AsyncClient) -> InboxPage:
            items: dict[str, InboundItem] = {}
            newest = since
            page_cursor = None
            for _page in range(INBOX_MAX_PAGES if since else 1):
                answer = await client.invoke_query(
                    "app.bsky.notification.listNotifications",
                    params=models.AppBskyNotificationListNotifications.Params(
                        limit=INBOX_PAGE_SIZE, cursor=page_cursor, reasons=list(INBOX_REASONS)
                    ),
                    output_encoding="application/json",
                )
                content = answer.content if isinstance(answer.content, dict) else {}
                notifications = content.get("notifications")
                notifications = notifications if isinstance(notifications, list) else []
                reached_seen = False
                for notification in notifications:
                    listed_at = parse_datetime(_field(notification, "indexedAt"))
                    if since and listed_at and listed_at <= since - INBOX_OVERLAP:
                        reached_seen = True
                        break
                    if listed_at and (newest is None or listed_at > newest):
                        newest = listed_at
                    if item := inbound_item(
                        notification, account_did=self._did, service_url=self.account.service_url
                    ):
                        merge(items, item)
                page_cursor = content.get("cursor")
                if reached_seen or not notifications or not isinstance(page_cursor, str) or not page_cursor:
                    break
            else:
                if since:
                    logger.warning(
                        "Bluesky inbox of %s: more than %s pages since %s", self._did, _page + 1, cursor
                    )
            return InboxPage(items=tuple(items.values()), cursor=_iso(newest) if newest else cursor)

        return await self._keeper.call(fetch, self._error)

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """Answer `target` in its thread: a post whose `reply` points at the thread's root and at `target`.

        One attempt, exactly once like `publish`: the record key comes from the idempotency key.
        """
        text = text.strip()
        _check_length(text)
        rkey = record_key_for(idempotency_key)

        async def create(client: AsyncClient) -> Published:
            parent, root = await self._thread_refs(client, target.remote_id, target.reply_ref)
            record: dict[str, Any] = {
                "$type": POST,
                "text": text,
                "createdAt": _created_at(),
                "reply": {"root": root, "parent": parent},
                IDEMPOTENCY_FIELD: idempotency_key,
            }
            if found := facets(text):
                record["facets"] = found
            return await self._create_post(client, rkey, record)

        return await self._keeper.call(create, self._error)

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Like the post. Its record key comes from the post's URI, so liking twice makes one like."""
        rkey = record_key_for(f"like:{remote_id}")

        async def create(client: AsyncClient) -> None:
            subject, _root = await self._thread_refs(client, remote_id, reply_ref)
            record = {"$type": LIKE, "subject": subject, "createdAt": _created_at()}
            await self._create_once(
                client,
                LIKE,
                rkey,
                record,
                lambda existing: _as_dict(existing).get("subject", {}).get("uri") == remote_id,
            )

        await self._keeper.call(create, self._error)

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Hide a reply under one of the account's own posts: add it to that thread's threadgate
        `hiddenReplies` (keeping the threadgate's reply rules). Readers see it only on request; its author
        still sees it. Replies in other people's threads cannot be hidden by this account."""

        async def hide(client: AsyncClient) -> None:
            _post, root_ref = await self._thread_refs(client, remote_id, reply_ref)
            root_uri = root_ref["uri"]
            if root_uri == remote_id:
                raise ConnectorError(_("Only replies can be hidden on Bluesky, not posts."), permanent=True)
            root = AtUri.from_str(root_uri)
            if root.host != self._did:
                raise ConnectorError(
                    _("Bluesky hides replies only in threads the account started."), permanent=True
                )
            gate: dict[str, Any] = {"$type": THREADGATE, "post": root_uri, "createdAt": _created_at()}
            swap = None
            try:
                existing = await client.com.atproto.repo.get_record(
                    {"repo": self._did, "collection": THREADGATE, "rkey": root.rkey}
                )
                gate, swap = _as_dict(existing.value), existing.cid
            except RequestErrorBase as exc:
                if error_name(exc) != "RecordNotFound":
                    raise
            hidden = [uri for uri in gate.get("hiddenReplies") or [] if isinstance(uri, str)]
            if remote_id in hidden:
                return
            if len(hidden) >= MAX_HIDDEN_REPLIES:
                raise ConnectorError(
                    _("Bluesky hides at most %(count)s replies in one thread.")
                    % {"count": MAX_HIDDEN_REPLIES},
                    permanent=True,
                )
            gate["hiddenReplies"] = [*hidden, remote_id]
            # swap_record: if the threadgate changed since it was read, fail rather than undo that change.
            await client.com.atproto.repo.put_record(
                {
                    "repo": self._did,
                    "collection": THREADGATE,
                    "rkey": root.rkey,
                    "record": gate,
                    "swap_record": swap,
                }
            )

        await self._keeper.call(hide, self._error)

    # --- Metrics ------------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """The posts' counters from `app.bsky.feed.getPosts` (25 a call) and the followers from
        `app.bsky.actor.getProfile`, both answered by the AppView through the PDS."""

        async def fetch(client: AsyncClient) -> MetricsPage:
            posts: dict[str, dict[str, int]] = {}
            for batch in metrics.batches(remote_ids):
                answer = await client.invoke_query(
                    "app.bsky.feed.getPosts",
                    params=models.AppBskyFeedGetPosts.Params(uris=batch),
                    output_encoding="application/json",
                )
                for post in metrics.posts_of(answer.content):
                    if found := metrics.post_counters(post):
                        posts[found[0]] = found[1]
            profile = await client.invoke_query(
                "app.bsky.actor.getProfile",
                params=models.AppBskyActorGetProfile.Params(actor=self._did),
                output_encoding="application/json",
            )
            return MetricsPage(
                posts=posts, account=metrics.account_counters(profile.content), missing=metrics.missing(posts)
            )

        return await self._keeper.call(fetch, self._error)

    async def _thread_refs(
        self, client: AsyncClient, uri: str, reply_ref: dict[str, str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Strong refs (uri + cid) of the post and of its thread's root: from `reply_ref` as `fetch_inbox`
        stored it, else asked of the AppView (an item that came without one)."""
        if reply_ref.get("cid") and reply_ref.get("root_uri") and reply_ref.get("root_cid"):
            post = {"uri": uri, "cid": reply_ref["cid"]}
            return post, {"uri": reply_ref["root_uri"], "cid": reply_ref["root_cid"]}
        answer = await client.invoke_query(
            "app.bsky.feed.getPosts",
            params=models.AppBskyFeedGetPosts.Params(uris=[uri]),
            output_encoding="application/json",
        )
        content = answer.content if isinstance(answer.content, dict) else {}
        posts = content.get("posts") or []
        if not posts or not isinstance(posts[0], dict) or not posts[0].get("cid"):
            raise ConnectorError(_("The Bluesky post is gone: %(uri)s") % {"uri": uri}, permanent=True)
        post = {"uri": uri, "cid": str(posts[0]["cid"])}
        root = (posts[0].get("record") or {}).get("reply", {}).get("root")
        if isinstance(root, dict) and root.get("uri") and root.get("cid"):
            return post, {"uri": str(root["uri"]), "cid": str(root["cid"])}
        return post, post

    async def _create_once(
        self,
        client: AsyncClient,
        collection: str,
        rkey: str,
        record: dict[str, Any],
        same: Callable[[Any], bool],
    ) -> None:
        """Create the record under `rkey`, unless an earlier attempt did (the record there is the `same`)."""
        try:
            await client.com.atproto.repo.create_record(
                {"repo": self._did, "collection": collection, "rkey": rkey, "record": record}
            )
        except RequestErrorBase as exc:
            if _maybe_taken(exc):
                try:
                    existing = await client.com.atproto.repo.get_record(
                        {"repo": self._did, "collection": collection, "rkey": rkey}
                    )
                except RequestErrorBase:
                    raise exc from None
                if same(existing.value):
                    return
            raise

    async def aclose(self) -> None:
        await self._keeper.aclose()


def _check_length(text: str) -> None:
    if grapheme_count(text) > MAX_GRAPHEMES or len(text.encode()) > MAX_BYTES:
        raise ConnectorError(
            f"The post is too long for Bluesky ({grapheme_count(text)} characters, "
            f"{len(text.encode())} bytes; at most {MAX_GRAPHEMES} characters and {MAX_BYTES} bytes).",
            permanent=True,
        )


def _maybe_taken(exc: RequestErrorBase) -> bool:
    """The create may have failed because the record key is taken (409, or the PDS's 500 for that)."""
    status = exc.response.status_code if exc.response is not None else 0
    return status == 409 or status >= 500


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _cid(ref: Any) -> str:
    link = getattr(ref, "link", None)
    if link:
        return str(link)
    if isinstance(ref, dict):
        return str(ref.get("$link", ""))
    return str(ref)
