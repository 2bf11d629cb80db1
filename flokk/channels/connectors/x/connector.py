"""The X connector: posts through the X API v2 with the account's OAuth 2 user token.

X keeps no idempotency key. When a post may have reached X (a timeout after sending), the engine asks
`find_published`, which reads the account's recent posts and matches them by text (X rewrites links to
t.co, so links are compared as placeholders). X's own guard against repeats, a 403 "duplicate content",
counts as published only when the earlier post is found.

The inbox is the mention timeline (`inbox.py`); answers are posts with `reply.in_reply_to_tweet_id`, likes
go to `POST /2/users/{id}/likes` and hiding to `PUT /2/tweets/{id}/hidden`. Direct messages are not read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import (
    Capabilities,
    ConnectorError,
    Identity,
    InboxPage,
    MediaItem,
    MetricsPage,
    OAuthApp,
    Publication,
    Published,
    ReplyTarget,
)
from flokk.channels.connectors.oauth2 import OAuth2Connector
from flokk.channels.connectors.x import auth, inbox, metrics
from flokk.channels.networks import Network

REFRESH_MARGIN = dt.timedelta(minutes=2)
CHUNK_BYTES = 4 * 1024 * 1024
STATUS_POLLS = 20
MAX_POLL_WAIT = 5.0
DUPLICATE_LOOKBACK = dt.timedelta(days=2)
MENTIONS_PAGE = 100  # the most X gives a page
FIRST_POLL_PAGES = 2  # the first poll (no cursor) reads the latest 200 mentions
POLL_PAGES = 8  # X lists at most the latest 800 mentions
_HASHTAG = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")
_URL = re.compile(r"https?://\S+")


def compose_text(publication: Publication) -> str:
    """The post's text, then its hashtags and link when the text lacks them."""
    text = publication.text.strip()
    present = {tag.lower() for tag in _HASHTAG.findall(text)}
    missing = [tag.lstrip("#") for tag in publication.hashtags if tag.lstrip("#").lower() not in present]
    missing = [tag for tag in missing if tag]
    if missing:
        text = f"{text}\n\n{' '.join('#' + tag for tag in missing)}".strip()
    if publication.link and publication.link not in text:
        text = f"{text}\n\n{publication.link}".strip()
    return text


def comparable(text: str) -> str:
    """Text as X shows it back: links become t.co links, whitespace may change."""
    return " ".join(
        _URL.sub("<link>", text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")).split()
    )


def media_category(mime_type: str) -> str:
    if mime_type == "image/gif":
        return "tweet_gif"
    return "tweet_video" if mime_type.startswith("video/") else "tweet_image"


class XConnector(OAuth2Connector):
    network = Network.X
    capabilities = Capabilities(
        publish_text=True,
        publish_images=True,
        publish_video=True,
        publish_link=True,
        delete=True,
        # Replies to the account's posts are in its mention timeline; direct messages are not read.
        read_comments=True,
        read_mentions=True,
        read_direct_messages=False,
        reply=True,
        like=True,
        # X hides replies in conversations the account started; it deletes only the account's own posts.
        hide_comments=True,
        delete_comments=False,
        metrics=True,  # the public metrics of posts (impressions too) and followers (see metrics.py)
    )

    max_concurrency_per_account: ClassVar[int] = 2
    network_name = auth.NETWORK_NAME
    refresh_margin = REFRESH_MARGIN
    refresh_keeps_previous = False

    # --- OAuth 2 hooks -----------------------------------------------------------------------------
    def _new_client(self) -> httpx.AsyncClient:
        return auth.new_client()

    async def _request_token(
        self, client: httpx.AsyncClient, app: OAuthApp, form: dict[str, str]
    ) -> dict[str, Any]:
        return await auth.request_token(client, app, form)

    def _url(self, path: str) -> str:
        return auth.api_base(self.app) + path

    def _error_for(self, response: httpx.Response, *, sent: bool) -> ConnectorError:
        return auth.error_for(response, sent=sent)

    def _post_url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.account.handle or 'i/web'}/status/{tweet_id}"

    # --- the contract ------------------------------------------------------------------------------
    async def verify(self) -> Identity:
        response = await self._request("GET", "/2/users/me")
        return _identity(auth.json_of(response), self.credentials)

    async def publish(self, publication: Publication) -> Published:
        body: dict[str, Any] = {"text": compose_text(publication)}
        if publication.media:
            body["media"] = {"media_ids": [await self._upload(item) for item in publication.media]}
        try:
            response = await self._request("POST", "/2/tweets", json=body, sends=True, expect=(201,))
        except ConnectorError as error:
            if error.status_code == 403 and auth.DUPLICATE in error.raw.lower():
                since = dt.datetime.now(dt.UTC) - DUPLICATE_LOOKBACK
                found = await self.find_published(publication, since)
                if found is not None:
                    return found
            raise
        return self._created(response)

    def _created(self, response: httpx.Response) -> Published:
        """The post `POST /2/tweets` made (201 `{"data": {"id", "text"}}`)."""
        data = auth.json_of(response, sent=True).get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise ConnectorError(
                _("X accepted the post but did not say where it is."),
                status_code=response.status_code,
                raw=auth.redacted(response),
                outcome_unknown=True,
            )
        tweet_id = str(data["id"])
        return Published(
            remote_id=tweet_id, remote_url=self._post_url(tweet_id), published_at=dt.datetime.now(dt.UTC)
        )

    async def _upload(self, item: MediaItem) -> str:
        """initialize / append (in chunks) / finalize, wait for processing, then the alt text."""
        response = await self._request(
            "POST",
            "/2/media/upload/initialize",
            json={
                "media_type": item.mime_type,
                "total_bytes": len(item.data),
                "media_category": media_category(item.mime_type),
            },
        )
        data = auth.json_of(response).get("data")
        if not isinstance(data, dict) or not data.get("id"):
            raise ConnectorError(_("X did not start the media upload."), raw=auth.redacted(response))
        media_id = str(data["id"])
        for index, start in enumerate(range(0, len(item.data), CHUNK_BYTES)):
            await self._request(
                "POST",
                f"/2/media/upload/{media_id}/append",
                data={"segment_index": str(index)},
                files={
                    "media": ("chunk", item.data[start : start + CHUNK_BYTES], "application/octet-stream")
                },
            )
        response = await self._request("POST", f"/2/media/upload/{media_id}/finalize")
        await self._wait_for_processing(media_id, auth.json_of(response).get("data"))
        if item.alt_text and not item.mime_type.startswith("video/"):
            await self._request(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text[:1000]}}},
            )
        return media_id

    async def _wait_for_processing(self, media_id: str, data: Any) -> None:
        for _poll in range(STATUS_POLLS):
            info = data.get("processing_info") if isinstance(data, dict) else None
            if not isinstance(info, dict) or info.get("state") == "succeeded":
                return
            if info.get("state") == "failed":
                error = info.get("error")
                detail = error.get("message", "failed") if isinstance(error, dict) else "failed"
                raise ConnectorError(
                    _("X could not process the media: %(reason)s") % {"reason": detail}, permanent=True
                )
            await asyncio.sleep(min(float(info.get("check_after_secs", 1) or 1), MAX_POLL_WAIT))
            response = await self._request(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            data = auth.json_of(response).get("data")
        raise ConnectorError(_("X is still processing the media; trying again later."))

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        start = since.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = await self._request(
            "GET",
            f"/2/users/{self.account.remote_id}/tweets",
            params={
                "start_time": start,
                "max_results": "100",
                "tweet.fields": "created_at",
                "exclude": "replies",
            },
        )
        wanted = comparable(compose_text(publication))
        tweets = auth.json_of(response).get("data")
        for tweet in tweets if isinstance(tweets, list) else []:
            if (
                isinstance(tweet, dict)
                and tweet.get("id")
                and comparable(str(tweet.get("text", ""))) == wanted
            ):
                tweet_id = str(tweet["id"])
                return Published(
                    remote_id=tweet_id, remote_url=self._post_url(tweet_id), details={"found_by": "text"}
                )
        return None

    async def delete(self, remote_id: str) -> None:
        await self._request("DELETE", f"/2/tweets/{remote_id}")

    # --- the inbox -----------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        """Mentions (and replies) newer than `cursor`, the newest post id seen (`since_id`). X pages
        newest first (`pagination_token`); the new cursor is the first page's `meta.newest_id`, and the
        old one stays when nothing is new. The first poll reads `FIRST_POLL_PAGES` pages."""
        params = {"max_results": str(MENTIONS_PAGE), **inbox.MENTION_PARAMS}
        if cursor:
            params["since_id"] = cursor
        items = []
        newest = cursor
        for page in range(POLL_PAGES if cursor else FIRST_POLL_PAGES):
            response = await self._request(
                "GET", f"/2/users/{self.account.remote_id}/mentions", params=params
            )
            payload = auth.json_of(response)
            items += inbox.items_of(payload)
            meta = payload.get("meta")
            meta = meta if isinstance(meta, dict) else {}
            if page == 0 and meta.get("newest_id"):
                newest = max(newest, str(meta["newest_id"]), key=inbox.id_order)
            if not meta.get("next_token"):
                break
            params["pagination_token"] = str(meta["next_token"])
        return InboxPage(items=tuple(items), cursor=newest)

    # --- metrics -------------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """The posts' public metrics (`GET /2/tweets`, 100 ids a call) and the account's followers."""
        posts: dict[str, dict[str, int]] = {}
        for batch in metrics.batches(remote_ids):
            response = await self._request(
                "GET", "/2/tweets", params={"ids": ",".join(batch), "tweet.fields": "public_metrics"}
            )
            posts.update(metrics.post_counters(auth.json_of(response)))
        response = await self._request("GET", "/2/users/me", params={"user.fields": "public_metrics"})
        return MetricsPage(
            posts=posts, account=metrics.account_counters(auth.json_of(response)), missing=metrics.MISSING
        )

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """One attempt to answer the post in its conversation (X keeps no idempotency key: an unknown
        outcome is reported as for `publish`)."""
        body = {"text": text.strip(), "reply": {"in_reply_to_tweet_id": target.remote_id}}
        response = await self._request("POST", "/2/tweets", json=body, sends=True, expect=(201,))
        return self._created(response)

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        await self._request(
            "POST", f"/2/users/{self.account.remote_id}/likes", json={"tweet_id": remote_id}, expect=(200,)
        )

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Hide a reply in a conversation the account started (X refuses others: a permanent error)."""
        await self._request("PUT", f"/2/tweets/{remote_id}/hidden", json={"hidden": True}, expect=(200,))

    # --- OAuth -------------------------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, app: OAuthApp, *, state: str, code_challenge: str) -> str:
        return auth.authorization_url(app, state=state, code_challenge=code_challenge)

    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        """Tokens for the code and PKCE verifier, then who they belong to (`GET /2/users/me`)."""
        async with auth.new_client() as client:
            payload = await auth.request_token(
                client,
                app,
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": app.redirect_uri,
                    "code_verifier": code_verifier,
                },
            )
            credentials = auth.credentials_from(payload, dt.datetime.now(dt.UTC))
            try:
                response = await client.get(
                    f"{auth.api_base(app)}/2/users/me",
                    headers={"Authorization": f"Bearer {credentials['access_token']}"},
                )
            except httpx.HTTPError as error:
                raise auth.transport_error(error, sent=False) from None
            if response.status_code != 200:
                raise auth.error_for(response)
            return [_identity(auth.json_of(response), credentials)]


def _identity(payload: dict[str, Any], credentials: dict[str, Any]) -> Identity:
    user = payload.get("data")
    if not isinstance(user, dict) or not user.get("id") or not user.get("username"):
        raise ConnectorError(_("X's answer about the account is incomplete."), raw=str(payload)[:500])
    return Identity(
        remote_id=str(user["id"]),
        handle=str(user["username"]),
        display_name=str(user.get("name", "") or ""),
        credentials=dict(credentials),
        # A refresh token with offline.access does not expire by itself: no date to reconnect by.
        credentials_expire_at=None,
    )
