"""The Mastodon connector: posts statuses over async httpx, once per idempotency key.

Exactly once: every status is posted with the publication's idempotency key as `Idempotency-Key`; the
instance answers a repeated key (same account, within an hour) with the status it made the first time, so a
retry after a lost answer cannot post twice. Past the hour only `find_published` protects: it looks for the
status among the account's latest ones by its text and time.

Mastodon.py registers apps (`auth.register_app`), where it does well. The hot path is one
`httpx.AsyncClient` per connector, as DESIGN.md asks for network fan-out: Mastodon.py is synchronous and
turns every answer into attribute dicts (~5 ms CPU a status), which capped publishing far below 10,000 posts
a minute; here only the JSON fields the connector needs are read.

The inbox (`fetch_inbox`, `reply`, `like`) reads mention notifications; `inbox.py` turns them into items.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import functools
import json
import logging
import mimetypes
import re
import ssl
import time
from typing import Any, ClassVar

import certifi
import httpx
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import (
    AccountRef,
    Capabilities,
    Connector,
    ConnectorError,
    Identity,
    InboxPage,
    MetricsPage,
    OAuthApp,
    Publication,
    Published,
    ReplyTarget,
)
from flokk.channels.connectors.mastodon import auth, inbox, metrics
from flokk.channels.connectors.mastodon.inbox import plain_text
from flokk.channels.networks import Network

logger = logging.getLogger(__name__)

MAX_MEDIA = 4
MEDIA_WAIT_SECONDS = 15.0  # bounded wait for an upload the instance is still processing (202)
FIND_PAGES = 5  # find_published looks at most at this many pages of 40 statuses
CLOCK_SKEW = dt.timedelta(minutes=5)
# The engine keeps at most a few calls per account in flight; a batch of one account's posts (tests, the
# reconciler) may keep more, so the pool lets dozens of connections live.
CONNECTION_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=64)
_HASHTAG = re.compile(r"(?<![\w/#])#(\w+)")
NOTIFICATION_PAGE = 50
FIRST_POLL_PAGES = 2  # the first poll (no cursor) reads the latest 100 mentions
POLL_PAGES = 10  # a later poll reads at most this many pages forward; the next poll goes on from there
CONVERSATION_PAGE = 40


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every connector: loading the CA bundle costs ~50 ms of CPU, which a client per
    account would pay again for each of a batch's accounts."""
    return ssl.create_default_context(cafile=certifi.where())


def compose_text(text: str, *, link: str = "", hashtags: tuple[str, ...] = ()) -> str:
    """The status as published: the text, then the hashtags it lacks, then the link if it lacks it."""
    text = text.strip()
    present = {tag.lower() for tag in _HASHTAG.findall(text)}
    missing = [tag.strip().lstrip("#\uff03") for tag in hashtags]  # also the full-width sign
    missing = [tag for tag in missing if tag and tag.lower() not in present]
    if missing:
        text = f"{text}\n\n{' '.join(f'#{tag}' for tag in dict.fromkeys(missing))}".strip()
    if link and link not in text:
        text = f"{text}\n\n{link}".strip()
    return text


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def retry_after_seconds(headers: dict[str, str], now: float | None = None) -> float | None:
    """Seconds to wait: `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset` (ISO time)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    now = time.time() if now is None else now
    value = lowered.get("retry-after")
    if value:
        try:
            return max(float(value), 0.0)
        except ValueError:
            try:
                return max(email.utils.parsedate_to_datetime(value).timestamp() - now, 0.0)
            except (TypeError, ValueError):
                pass
    value = lowered.get("x-ratelimit-reset")
    if value:
        try:
            reset = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return max(reset.timestamp() - now, 0.0)
    return None


def _parse_datetime(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _id_order(remote_id: str) -> tuple[int, str]:
    """Mastodon's ids are numbers in strings: a longer one is larger."""
    return len(remote_id), remote_id


def _json(response: httpx.Response) -> Any:
    """The answer's JSON, or `ValueError` when it is not JSON."""
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(str(error)) from None


class _Unreadable(Exception):
    """A successful answer without the fields the connector needs."""


class MastodonConnector(Connector):
    network: ClassVar[str] = Network.MASTODON
    capabilities: ClassVar[Capabilities] = Capabilities(
        publish_text=True,
        publish_images=True,
        publish_video=True,
        publish_link=True,
        first_comment=True,
        delete=True,
        # Replies to the account's posts arrive as mentions (Mastodon clients mention whom they answer).
        read_comments=True,
        read_mentions=True,
        read_direct_messages=True,
        reply=True,
        like=True,
        # The client API cannot hide or delete other people's statuses.
        hide_comments=False,
        delete_comments=False,
        metrics=True,  # favourites, boosts, replies and followers; no impressions (see metrics.py)
    )
    request_timeout: ClassVar[float] = 20.0  # below the engine's 30 s per call
    media_wait_seconds: ClassVar[float] = MEDIA_WAIT_SECONDS

    def __init__(self, account: AccountRef, credentials: dict[str, Any], app: OAuthApp | None = None) -> None:
        super().__init__(account, credentials, app)
        self.instance = auth.instance_url(account.service_url or (app.base_url if app else ""))
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    # --- plumbing ---------------------------------------------------------------------------------------
    @property
    def _token(self) -> str:
        return str(self.credentials.get("access_token") or "")

    @property
    def _host(self) -> str:
        return auth.instance_host(self.instance)

    def _http(self) -> httpx.AsyncClient:
        """The connector's client, made on first use (after tests may have changed `request_timeout`).

        A client's pooled connections belong to the event loop that opened them; the engine uses one loop
        per batch, but a caller that runs the connector in several `asyncio.run`s gets a client per loop.
        """
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            if not self.instance:
                raise ConnectorError(_("The account has no Mastodon instance address."), permanent=True)
            if not self._token:
                raise ConnectorError(
                    _("The account has no access token: reconnect it."), needs_reconnect=True
                )
            self._client = httpx.AsyncClient(
                base_url=self.instance,
                headers={"Authorization": f"Bearer {self._token}", "User-Agent": "Flokk"},
                timeout=self.request_timeout,
                limits=CONNECTION_LIMITS,
                verify=tls_context(),
                follow_redirects=False,
            )
            self._client_loop = loop
        return self._client

    def _secrets(self) -> list[str]:
        app_secret = self.app.client_secret if self.app else ""
        return [self._token, app_secret]

    async def _request(
        self,
        what: str,
        method: str,
        path: str,
        *,
        posting: bool = False,
        ok: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """One API call; the status and the answer's JSON, or `ConnectorError`.

        `what` names the action for messages ("post the status"). `posting` marks the call that creates
        the status: if it may have reached the instance, the error says `outcome_unknown`, so the engine
        reconciles before it tries again.
        """
        try:
            response = await self._http().request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise self._transport_error(what, error, posting) from None
        if response.status_code not in ok:
            raise self._error(what, response, posting)
        try:
            return response.status_code, _json(response)
        except ValueError:
            raise self._unreadable(what, response, posting) from None

    def _transport_error(self, what: str, error: httpx.HTTPError, posting: bool) -> ConnectorError:
        # Only a connection that never opened (or a request that never left the pool) is sure not to
        # have reached the instance; a read timeout or a dropped connection may follow a created status.
        never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if isinstance(error, httpx.TimeoutException):
            message = _("%(host)s did not answer in time while trying to %(what)s.")
        else:
            message = _("Could not reach %(host)s while trying to %(what)s.")
        return ConnectorError(
            message % {"host": self._host, "what": what},
            raw=auth.redact(f"{type(error).__name__}: {error}"[:1000], self._secrets()),
            outcome_unknown=posting and not never_sent,
        )

    def _unreadable(self, what: str, response: httpx.Response, posting: bool) -> ConnectorError:
        # The instance said yes but sent something that is not the expected JSON.
        return ConnectorError(
            _("%(host)s sent an answer Flokk cannot read while trying to %(what)s.")
            % {"host": self._host, "what": what},
            status_code=response.status_code,
            raw=self._raw(response),
            outcome_unknown=posting,
        )

    def _raw(self, response: httpx.Response) -> str:
        return auth.redact(f"{response.status_code} {response.text[:3000]}", self._secrets())

    def _error(self, what: str, response: httpx.Response, posting: bool) -> ConnectorError:
        """The `ConnectorError` for an answer that is not the one expected."""
        host, status, raw = self._host, response.status_code, self._raw(response)
        try:
            body = _json(response)
        except ValueError:
            body = None
        reason = body.get("error") if isinstance(body, dict) else None
        message = auth.redact(str(reason), self._secrets())[:500] if reason else ""
        if status == 429:
            return ConnectorError(
                _("%(host)s asks to slow down (rate limit).") % {"host": host},
                retry_after=retry_after_seconds(dict(response.headers)),
                status_code=status,
                raw=raw,
            )
        if status == 401:
            return ConnectorError(
                _("%(host)s refused the account's token (%(reason)s): reconnect the account.")
                % {"host": host, "reason": message or _("unauthorized")},
                needs_reconnect=True,
                status_code=status,
                raw=raw,
            )
        if 200 <= status < 300:
            return self._unreadable(what, response, posting)
        if status >= 500:
            return ConnectorError(
                _("%(host)s had a problem (%(status)s) while trying to %(what)s.")
                % {"host": host, "status": f"{status}: {message}" if message else status, "what": what},
                status_code=status,
                raw=raw,
                outcome_unknown=posting,
            )
        if status == 403 and "scope" in message.lower():
            return ConnectorError(
                _("%(host)s says Flokk lacks a permission (%(reason)s): reconnect the account.")
                % {"host": host, "reason": message},
                needs_reconnect=True,
                status_code=status,
                raw=raw,
            )
        if status in (408, 409, 425):
            return ConnectorError(
                _("%(host)s could not %(what)s right now (%(status)s).")
                % {"host": host, "what": what, "status": status},
                status_code=status,
                raw=raw,
            )
        if 400 <= status < 500:
            return ConnectorError(
                _("%(host)s refused to %(what)s: %(reason)s")
                % {"host": host, "what": what, "reason": message or response.reason_phrase},
                permanent=True,
                status_code=status,
                raw=raw,
            )
        # A redirect or an informational answer: not what the API sends; unknown, not permanent.
        return ConnectorError(
            _("Unexpected answer from %(host)s while trying to %(what)s (%(status)s).")
            % {"host": host, "what": what, "status": status},
            status_code=status,
            raw=raw,
            outcome_unknown=posting,
        )

    async def _object(
        self, what: str, method: str, path: str, *, posting: bool = False, **kwargs: Any
    ) -> Any:
        """A call whose answer must be a JSON object with an `id` (an account, a status, an attachment)."""
        status, data = await self._request(what, method, path, posting=posting, **kwargs)
        if not isinstance(data, dict) or data.get("id") is None:
            raise ConnectorError(
                _("%(host)s sent an answer Flokk cannot read while trying to %(what)s.")
                % {"host": self._host, "what": what},
                status_code=status,
                raw=auth.redact(repr(data)[:1000], self._secrets()),
                outcome_unknown=posting,
            )
        return data

    # --- the contract -------------------------------------------------------------------------------------
    async def verify(self) -> Identity:
        """Ask the instance who the token belongs to (`verify_credentials`)."""
        account = await self._object(_("check the account"), "GET", "/api/v1/accounts/verify_credentials")
        acct = str(account.get("acct") or account.get("username") or "")
        handle = acct if "@" in acct else f"{acct}@{self._host}"
        return Identity(
            remote_id=str(account["id"]),
            handle=handle,
            display_name=str(account.get("display_name") or ""),
            credentials=dict(self.credentials),
        )

    async def publish(self, publication: Publication) -> Published:
        """One attempt: upload the media (with alt text) and wait for processing, then post the status
        with the idempotency key; the first comment follows as a reply, best effort."""
        if len(publication.media) > MAX_MEDIA:
            raise ConnectorError(
                _("Mastodon takes at most %(count)s attachments a status.") % {"count": MAX_MEDIA},
                permanent=True,
            )
        text = compose_text(publication.text, link=publication.link, hashtags=publication.hashtags)
        media_ids = list(
            await asyncio.gather(
                *(self._upload(item.data, item.mime_type, item.alt_text) for item in publication.media)
            )
        )
        body: dict[str, Any] = {"status": text, "visibility": "public"}
        if media_ids:
            body["media_ids"] = media_ids
        status = await self._object(
            _("post the status"),
            "POST",
            "/api/v1/statuses",
            posting=True,
            json=body,
            headers={"Idempotency-Key": publication.idempotency_key},
        )
        published = self._published(status)
        if publication.first_comment.strip():
            published.details.update(await self._first_comment(publication, published.remote_id))
        return published

    async def _upload(self, data: bytes, mime_type: str, alt_text: str) -> str:
        """Upload one file with its alt text; once the instance has processed it, its id.

        The alt text goes with the upload (`description`), so no `PUT /api/v1/media/{id}` is needed.
        """
        filename = "upload" + (mimetypes.guess_extension(mime_type) or "")
        form = {"description": alt_text} if alt_text else None
        media = await self._object(
            _("upload media"),
            "POST",
            "/api/v2/media",
            ok=(200, 202),
            files={"file": (filename, data, mime_type)},
            data=form,
        )
        media_id = str(media["id"])
        deadline = time.monotonic() + self.media_wait_seconds
        delay = 0.25
        while media.get("url") is None:  # 202/206: still processing
            if time.monotonic() + delay > deadline:
                raise ConnectorError(
                    _("%(host)s is still processing the media; trying again later.") % {"host": self._host}
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
            media = await self._object(
                _("check the media"), "GET", f"/api/v1/media/{media_id}", ok=(200, 206)
            )
        return media_id

    async def _first_comment(self, publication: Publication, status_id: str) -> dict[str, Any]:
        try:
            reply = await self._object(
                _("post the first comment"),
                "POST",
                "/api/v1/statuses",
                json={
                    "status": publication.first_comment.strip(),
                    "in_reply_to_id": status_id,
                    "visibility": "public",
                },
                headers={"Idempotency-Key": f"{publication.idempotency_key}:first-comment"},
            )
        except ConnectorError as error:
            # The post is out; a missing first comment must not make the engine post it again.
            logger.warning("first comment on Mastodon status %s failed: %s", status_id, error.message)
            return {"first_comment_error": error.message}
        return {"first_comment_id": str(reply["id"])}

    def _published(self, status: dict[str, Any]) -> Published:
        return Published(
            remote_id=str(status["id"]),
            remote_url=str(status.get("url") or status.get("uri") or ""),
            published_at=_parse_datetime(status.get("created_at")),
            details={"uri": str(status.get("uri") or "")},
        )

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        """The status of an attempt whose answer was lost: among the account's statuses since `since`
        (newest first, a few pages), the oldest one with the text that was sent and no reply parent."""
        text = compose_text(publication.text, link=publication.link, hashtags=publication.hashtags)
        account_id = self.account.remote_id or (await self.verify()).remote_id
        earliest = since - CLOCK_SKEW
        found: dict[str, Any] | None = None
        max_id: str | None = None
        what = _("look for the status")
        for _page in range(FIND_PAGES):
            params = [("limit", "40")] + ([("max_id", max_id)] if max_id else [])
            page = await self._page(what, f"/api/v1/accounts/{account_id}/statuses", params)
            statuses = [s for s in page if isinstance(s, dict) and s.get("id") is not None]
            if not statuses:
                break
            for status in statuses:
                created = _parse_datetime(status.get("created_at"))
                if created is not None and created < earliest:
                    return self._published(found) if found is not None else None
                content = str(status.get("content") or "")
                if status.get("in_reply_to_id") is None and _same_text(plain_text(content), text):
                    found = status  # keep going: the oldest match is the first attempt
            max_id = str(statuses[-1]["id"])
        return self._published(found) if found is not None else None

    async def delete(self, remote_id: str) -> None:
        """Delete the status; one that is gone already is not an error."""
        try:
            await self._request(_("delete the status"), "DELETE", f"/api/v1/statuses/{remote_id}")
        except ConnectorError as error:
            if error.status_code == 404:
                return
            raise

    # --- the inbox ------------------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        """Mention notifications (public mentions, replies, direct messages) newer than `cursor`, the id
        of the newest notification seen. A later poll pages forward from the cursor (`min_id`), oldest
        page first, so a poll cut short by `POLL_PAGES` misses nothing below its new cursor; the first
        poll reads the latest pages backwards (`max_id`). Ids are compared as the numbers they are."""
        if cursor:
            notifications = await self._notifications_after(cursor)
        else:
            notifications = await self._latest_notifications()
        ids = [str(n["id"]) for n in notifications]
        # An empty first poll still returns a cursor ("0": before every id), so that the next poll reads
        # everything since, not only the latest pages.
        newest = max([cursor or "0", *ids], key=_id_order)
        statuses = [status for n in notifications if (status := inbox.mention_status(n)) is not None]
        conversations: list[Any] = []
        if any(status.get("visibility") == "direct" for status in statuses):
            conversations = await self._page(
                _("read the direct conversations"),
                "/api/v1/conversations",
                [("limit", str(CONVERSATION_PAGE))],
            )
        items = inbox.items_of(
            statuses, host=self._host, own_id=self.account.remote_id, conversations=conversations
        )
        return InboxPage(items=tuple(items), cursor=newest)

    async def _latest_notifications(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _page in range(FIRST_POLL_PAGES):
            bound = [("max_id", str(found[-1]["id"]))] if found else []
            page = await self._notification_page(bound)
            if not page:
                break
            found += sorted(page, key=lambda n: _id_order(str(n["id"])), reverse=True)
        return found

    async def _notifications_after(self, cursor: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        newest = cursor
        for _page in range(POLL_PAGES):
            # Stop on an empty page, not a short one: the instance drops unavailable statuses after
            # applying the limit, so a short page does not mean the last one.
            page = await self._notification_page([("min_id", newest)])
            if not page:
                break
            found += page
            newest = max((str(n["id"]) for n in page), key=_id_order)
        return found

    async def _notification_page(self, bound: list[tuple[str, str]]) -> list[dict[str, Any]]:
        page = await self._page(
            _("read the notifications"),
            "/api/v1/notifications",
            [("types[]", "mention"), ("limit", str(NOTIFICATION_PAGE)), *bound],
        )
        return [n for n in page if isinstance(n, dict) and n.get("id") is not None]

    async def _page(self, what: str, path: str, params: list[tuple[str, str]]) -> list[Any]:
        """A list the instance answers (notifications, conversations), or `ConnectorError`."""
        status_code, page = await self._request(what, "GET", path, params=params)
        if not isinstance(page, list):
            raise ConnectorError(
                _("%(host)s sent an answer Flokk cannot read while trying to %(what)s.")
                % {"host": self._host, "what": what},
                status_code=status_code,
                raw=auth.redact(repr(page)[:1000], self._secrets()),
            )
        return page

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """Answer the status in its thread, with its visibility (a direct message is answered directly),
        mentioning its author and the others it mentions when the text does not: Mastodon delivers a
        direct status only to the accounts it mentions, and notifies only those (docs.joinmastodon.org,
        methods/statuses#create: `direct` is "visible only to mentioned users"). Sent with the
        idempotency key, like `publish`."""
        ref = target.reply_ref if "mentions" in target.reply_ref else await self._reply_ref(target.remote_id)
        visibility = ref.get("visibility") or ("direct" if target.kind == "direct_message" else "public")
        status = await self._object(
            _("post the answer"),
            "POST",
            "/api/v1/statuses",
            posting=True,
            json={
                "status": inbox.reply_text(text, ref.get("mentions", "").split(), self._host),
                "in_reply_to_id": target.remote_id,
                "visibility": visibility,
            },
            headers={"Idempotency-Key": idempotency_key},
        )
        return self._published(status)

    async def _reply_ref(self, status_id: str) -> dict[str, str]:
        """What `reply` needs, read from the status itself (for an item stored without it)."""
        what = _("read the status to answer")
        status = await self._object(what, "GET", f"/api/v1/statuses/{status_id}")
        try:
            item = inbox.item_of(status, host=self._host, own_id=self.account.remote_id, threads={})
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ConnectorError(
                _("%(host)s sent an answer Flokk cannot read while trying to %(what)s.")
                % {"host": self._host, "what": what},
                raw=auth.redact(repr(status)[:1000], self._secrets()),
            ) from None
        return item.reply_ref

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Favourite the status (`write:favourites`; liking it twice is no error on Mastodon)."""
        await self._object(_("like the status"), "POST", f"/api/v1/statuses/{remote_id}/favourite")

    # --- metrics --------------------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """Each status's counters (one call each, a few at once; a status gone is left out) and the
        account's followers (`verify_credentials`)."""
        what = _("read the metrics")
        limit = asyncio.Semaphore(metrics.CONCURRENT_READS)

        async def read(status_id: str) -> tuple[str, dict[str, int]] | None:
            async with limit:
                try:
                    status = await self._object(what, "GET", f"/api/v1/statuses/{status_id}")
                except ConnectorError as error:
                    if error.status_code in (404, 410):
                        return None
                    raise
            return status_id, metrics.status_counters(status)

        found = await asyncio.gather(*(read(status_id) for status_id in dict.fromkeys(remote_ids)))
        account = await self._object(what, "GET", "/api/v1/accounts/verify_credentials")
        posts = dict(pair for pair in found if pair is not None)
        return MetricsPage(
            posts=posts, account=metrics.account_counters(account), missing=metrics.missing(posts)
        )

    async def aclose(self) -> None:
        client, self._client = self._client, None
        # A client left from another (finished) event loop cannot be closed from this one; its sockets
        # went with that loop.
        if client is not None and self._client_loop is asyncio.get_running_loop():
            await client.aclose()

    # --- OAuth ----------------------------------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, app: OAuthApp, *, state: str, code_challenge: str) -> str:
        return auth.authorization_url(app, state=state, code_challenge=code_challenge)

    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        """The token for the code, and the one account it belongs to (as `verify_credentials` says)."""
        token = await auth.exchange_code(app, code=code, code_verifier=code_verifier)
        credentials = {"access_token": token["access_token"], "scope": str(token.get("scope", ""))}
        ref = AccountRef(id="", network=cls.network, handle="", service_url=app.base_url, remote_id="")
        connector = cls(ref, credentials, app)
        try:
            return [await connector.verify()]
        finally:
            await connector.aclose()
