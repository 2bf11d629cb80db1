"""The Bluesky connector: posts to the account's PDS with the atproto SDK, exactly once per idempotency key.

Exactly once: each post's record key (`rkey`) is derived from the publication's idempotency key, and the key
itself is kept in the record (`flokk_idempotency_key`; lexicons allow extra fields). A second create with the
same key fails on the network (the PDS refuses a record key that exists), and `publish` then reads the
record back and reports it as published; `find_published` asks for that record key directly.

Only `com.atproto.*` is used, so it works against a PDS without an AppView (the local devnet) as well as
against bsky.social.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from typing import Any, ClassVar

import httpx
from atproto_client import AsyncClient
from atproto_client.exceptions import RateLimitExceededError, RequestErrorBase
from atproto_core.uri import AtUri

from flokk.channels.connectors.base import (
    AccountRef,
    Capabilities,
    Connector,
    ConnectorError,
    Identity,
    MediaItem,
    OAuthApp,
    Publication,
    Published,
)
from flokk.channels.connectors.bluesky.auth import (
    SESSION_ERRORS,
    SessionKeeper,
    error_message,
    error_name,
)
from flokk.channels.connectors.bluesky.richtext import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    compose_text,
    facets,
    grapheme_count,
)
from flokk.channels.networks import Network

POST = "app.bsky.feed.post"
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
    for _ in range(13):
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
        publish_text=True, publish_images=True, publish_video=False, publish_link=True, delete=True
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
        if grapheme_count(text) > MAX_GRAPHEMES or len(text.encode()) > MAX_BYTES:
            raise ConnectorError(
                f"The post is too long for Bluesky ({grapheme_count(text)} characters, "
                f"{len(text.encode())} bytes; at most {MAX_GRAPHEMES} characters and {MAX_BYTES} bytes).",
                permanent=True,
            )
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
            try:
                response = await client.com.atproto.repo.create_record(
                    {"repo": self._did, "collection": POST, "rkey": rkey, "record": record}
                )
            except RequestErrorBase as exc:
                # The PDS answers a taken record key with a server error, not a conflict: look before failing.
                status = exc.response.status_code if exc.response is not None else 0
                if status == 409 or status >= 500:
                    existing = await self._get(client, rkey)
                    if (
                        existing is not None
                        and existing.details.get(IDEMPOTENCY_FIELD) == publication.idempotency_key
                    ):
                        return existing
                raise
            return self._published(response.uri, rkey, record["createdAt"], {"cid": response.cid})

        return await self._keeper.call(create, self._error)

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

    async def aclose(self) -> None:
        await self._keeper.aclose()


def _cid(ref: Any) -> str:
    link = getattr(ref, "link", None)
    if link:
        return str(link)
    if isinstance(ref, dict):
        return str(ref.get("$link", ""))
    return str(ref)
