"""The Instagram connector (Instagram API with Facebook Login): posts to a business or creator account that
is linked to a Facebook Page, with that Page's access token.

Publishing is in steps: a media container per image (`POST /{ig-user-id}/media` with `image_url`), for 2-10
images a CAROUSEL container over them, a wait until Instagram has fetched and processed the container
(`status_code` FINISHED), then `POST /{ig-user-id}/media_publish`. Only that last call creates the post.

Instagram fetches each image itself from a public URL; it takes no uploads. The publication carries the
image's bytes, so `media_url_for` must turn each one into a URL that Instagram's servers can reach: a
provider set with `MEDIA_URL_PROVIDER` (or the constructor) does that. Without one, image posts fail with a
permanent error that says so.

Instagram allows 100 API-published posts per account in a rolling 24 hours; `publish` asks for the quota
first and waits (rate limited) instead of failing when it is used up.

The inbox is the comments on the account's media, polled and pushed by the `comments` webhook
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments).
A poll is one call, `GET /{ig-user-id}/media` for the most recent media, each with its comments and their
replies expanded; a media's further comment pages are read only while a whole page is newer than the
cursor. Instagram documents no order for comments, so on a media with more comments than one page holds
a new comment may wait for the webhook; the cursor then still guards against losing what the poll saw.
Mentions are not read: the API lists a mention only by the media or comment id that a `mentions` webhook
carries (`mentioned_media`, `mentioned_comment`), with no text in the webhook, and `parse_webhook` has no
token to fetch it. Liking comments is not in the API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from flokk.channels.connectors.base import (
    AccountRef,
    Capabilities,
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
    WebhookEvent,
)
from flokk.channels.connectors.facebook import auth, inbox
from flokk.channels.connectors.facebook.graph import comparable, compose_message, parse_time
from flokk.channels.connectors.facebook.graph_connector import GraphConnector
from flokk.channels.connectors.instagram import metrics
from flokk.channels.connectors.instagram.comments import COMMENT_FIELDS, polled_comments, webhook_comment
from flokk.channels.networks import Network

NETWORK_NAME = "Instagram"
MAX_IMAGES = 10
# Waiting for a container: the engine gives a whole call 30 seconds, so the wait stays well below that.
STATUS_POLLS = 10
POLL_INTERVAL = 1.0
QUOTA_WINDOW = dt.timedelta(hours=24)
DEFAULT_QUOTA_TOTAL = 100
ACCOUNT_FIELDS = "id,name,access_token,tasks,instagram_business_account{id,username,name}"
INBOX_MEDIA = 25  # a poll looks at the comments of the account's most recent media
COMMENTS_PER_PAGE = 50
COMMENT_PAGES = 4  # per media and poll, once the first is all new
INBOX_FIELDS = (
    f"id,permalink,comments.limit({COMMENTS_PER_PAGE}){{{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}}}"
)

MediaUrlProvider = Callable[[MediaItem], str]
# Turns an image into a public URL Instagram can fetch; None = no provider (image posts cannot go out).
MEDIA_URL_PROVIDER: MediaUrlProvider | None = None


class InstagramConnector(GraphConnector):
    network: ClassVar[str] = Network.INSTAGRAM
    capabilities: ClassVar[Capabilities] = Capabilities(
        publish_text=False,
        publish_images=True,
        publish_video=False,
        publish_link=False,
        first_comment=True,
        delete=False,
        read_comments=True,
        reply=True,
        like=False,
        hide_comments=True,
        delete_comments=True,
        webhooks=True,
        metrics=True,  # public counters, the media's insights and followers (see metrics.py)
    )
    max_concurrency_per_account: ClassVar[int] = 2

    network_name = NETWORK_NAME
    scopes = auth.INSTAGRAM_SCOPES
    no_token_message = gettext_noop(
        "Flokk has no access token for this Instagram account; reconnect the account."
    )
    max_images = MAX_IMAGES

    def __init__(
        self,
        account: AccountRef,
        credentials: dict[str, Any],
        app: OAuthApp | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        media_url_provider: MediaUrlProvider | None = None,
    ) -> None:
        super().__init__(account, credentials, app, transport=transport)
        self.media_url_provider = media_url_provider

    @property
    def _ig_user_id(self) -> str:
        return str(self.credentials.get("ig_user_id") or self.account.remote_id)

    # --- Facebook Login ----------------------------------------------------------------------------
    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        """One Identity per Instagram business account linked to a Page the person manages; it holds the
        Page's (non-expiring) token, which is what the Instagram API with Facebook Login takes."""
        pages = await cls._managed_pages(app, code=code, code_verifier=code_verifier, fields=ACCOUNT_FIELDS)
        identities = []
        for page in pages:
            business = page.get("instagram_business_account")
            if not isinstance(business, dict) or not business.get("id"):
                continue
            username = str(business.get("username") or business["id"])
            identities.append(
                Identity(
                    remote_id=str(business["id"]),
                    handle=username,
                    display_name=str(business.get("name") or page.get("name") or username),
                    credentials={
                        "access_token": str(page["access_token"]),
                        "page_id": str(page["id"]),
                        "ig_user_id": str(business["id"]),
                    },
                )
            )
        return identities

    # --- the contract ------------------------------------------------------------------------------
    async def verify(self) -> Identity:
        account = await self._call("GET", self._ig_user_id, params={"fields": "id,username,name"})
        return Identity(
            remote_id=str(account.get("id") or self._ig_user_id),
            handle=str(account.get("username") or self.account.handle),
            display_name=str(account.get("name") or ""),
        )

    def media_url_for(self, item: MediaItem) -> str:
        """A public URL Instagram's servers can fetch the image from (Instagram accepts no uploads)."""
        provider = self.media_url_provider or MEDIA_URL_PROVIDER
        if provider is None and item.public_url:
            return item.public_url
        if provider is None:
            raise ConnectorError(
                _(
                    "Instagram fetches each image from a public web address and takes no uploads. Flokk "
                    "needs FLOKK_BASE_URL to be reachable from the internet to publish images to Instagram."
                ),
                permanent=True,
            )
        return provider(item)

    async def publish(self, publication: Publication) -> Published:
        """One attempt: check the daily quota, build and wait for the container(s), publish; then the first
        comment, best effort. Only `media_publish` can create the post, so only it leaves the outcome
        unknown when its answer is lost."""
        images = self._check_media(publication.media)
        urls = [self.media_url_for(item) for item in images]
        await self._check_quota()
        caption = compose_message(publication, link_in_text=True)
        if len(images) == 1:
            container = await self._container({"image_url": urls[0], "caption": caption, **_alt(images[0])})
        else:
            children = [
                await self._container({"image_url": url, "is_carousel_item": "true", **_alt(item)})
                for url, item in zip(urls, images, strict=True)
            ]
            container = await self._container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
            )
        await self._wait_until_ready(container)
        answer = await self._call(
            "POST", f"{self._ig_user_id}/media_publish", data={"creation_id": container}, sends=True
        )
        media_id = self._created_id(answer)
        details: dict[str, Any] = {"container_id": container}
        remote_url, published_at = await self._permalink(media_id)
        if publication.first_comment.strip():
            details.update(await self._first_comment(media_id, publication.first_comment.strip()))
        return Published(
            remote_id=media_id,
            remote_url=remote_url,
            published_at=published_at or dt.datetime.now(dt.UTC),
            details=details,
        )

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        wanted = comparable(compose_message(publication, link_in_text=True))
        params = {
            "fields": "id,caption,timestamp,permalink",
            "since": int((since - dt.timedelta(minutes=5)).timestamp()),
            "limit": 50,
        }
        media = await self._first_match(
            f"{self._ig_user_id}/media",
            params,
            lambda media: comparable(str(media.get("caption") or "")) == wanted,
            pages=1,
        )
        if media is None:
            return None
        return Published(
            remote_id=str(media.get("id") or ""),
            remote_url=str(media.get("permalink") or ""),
            published_at=parse_time(media.get("timestamp")),
            details={"found_by": "caption"},
        )

    async def delete(self, remote_id: str) -> None:
        raise ConnectorError(
            _("Flokk cannot delete Instagram posts; delete it in Instagram."), permanent=True
        )

    # --- the inbox -----------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        since = inbox.parse_cursor(cursor)
        answer = await self._call(
            "GET", f"{self._ig_user_id}/media", params={"fields": INBOX_FIELDS, "limit": INBOX_MEDIA}
        )
        items: list[InboundItem] = []
        for media in answer.get("data") or []:
            media_id = inbox.id_of(media.get("id")) if isinstance(media, dict) else ""
            if not media_id:
                continue
            comments = await self._edge_pages(
                media.get("comments"),
                more=lambda page: since is not None and _all_newer(page, since),
                pages=COMMENT_PAGES,
            )
            items += polled_comments(
                comments,
                media_id=media_id,
                url=inbox.text_of(media.get("permalink")),
                ig_user_id=self._ig_user_id,
                handle=self.account.handle,
            )
        new = [item for item in items if inbox.is_new(item.created_at, since)]
        return InboxPage(items=tuple(new), cursor=inbox.next_cursor(new, cursor))

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """Reply as the account under the item's top-level comment (Instagram threads one level deep)."""
        under = target.reply_ref.get("answer_under") or target.remote_id
        answer = await self._call("POST", f"{under}/replies", data={"message": text}, sends=True)
        return Published(
            remote_id=self._created_id(answer),
            published_at=dt.datetime.now(dt.UTC),
            details={"answered_under": under},
        )

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        raise ConnectorError(_("Instagram does not let apps like comments."), permanent=True)

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        # Documented as `POST /{ig-comment-id}?hide=true`; Graph reads a POST's parameters from the form too.
        await self._call("POST", remote_id, data={"hide": "true"})

    async def delete_comment(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        await self._call("DELETE", remote_id)

    @classmethod
    def parse_webhook(cls, app: OAuthApp, headers: dict[str, str], body: bytes) -> list[WebhookEvent]:
        """New comments from the `comments` webhook field; other fields (mentions, live comments, story
        insights) are skipped. See `facebook.inbox` for when a whole request is refused."""
        events = []
        for entry in inbox.signed_entries(app, headers, body, object_name="instagram"):
            ig_user_id = inbox.id_of(entry["id"])
            for field, value in inbox.changes(entry):
                if field != "comments":
                    continue
                item = webhook_comment(value, ig_user_id=ig_user_id, sent_at=entry.get("time"))
                if item is not None:
                    events.append(WebhookEvent(account_remote_id=ig_user_id, item=item))
        return events

    # --- metrics -------------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """The media's likes and comments (50 media a call), each media's insights (one call a media; a
        media whose insights cannot be read keeps its likes and comments) and the account's followers."""
        posts: dict[str, dict[str, int]] = {}
        for batch in metrics.batches(remote_ids):
            found = await self._read_objects(batch, metrics.MEDIA_FIELDS)
            for media_id, media in found.items():
                posts[media_id] = metrics.media_counters(media)
                insights = await self._read_insights(media_id, {"metric": metrics.insight_metrics(media)})
                if insights is not None:
                    posts[media_id].update(metrics.insight_counters(insights))
        account = await self._call("GET", self._ig_user_id, params={"fields": metrics.ACCOUNT_FIELDS})
        return MetricsPage(posts=posts, account=metrics.account_counters(account), missing=metrics.MISSING)

    # --- parts ---------------------------------------------------------------------------------------
    def _check_media(self, media: tuple[MediaItem, ...]) -> list[MediaItem]:
        if not media:
            raise ConnectorError(
                _("Instagram does not take posts without an image; add at least one image."), permanent=True
            )
        return self._check_images(media)

    async def _check_quota(self) -> None:
        """Raise rate-limited when the account's 24-hour publishing quota is used up, with the time until
        its oldest post in the window leaves it."""
        answer = await self._call(
            "GET", f"{self._ig_user_id}/content_publishing_limit", params={"fields": "quota_usage,config"}
        )
        rows = answer.get("data") or []
        row = rows[0] if rows and isinstance(rows[0], dict) else {}
        config = row.get("config")
        if not isinstance(config, dict):
            config = {}
        try:
            usage = int(row.get("quota_usage") or 0)
            total = int(config.get("quota_total") or DEFAULT_QUOTA_TOTAL)
            window = dt.timedelta(seconds=int(config.get("quota_duration") or QUOTA_WINDOW.total_seconds()))
        except (TypeError, ValueError):
            return  # an odd answer must not block publishing; Instagram still enforces its limit
        if usage < total:
            return
        raise ConnectorError(
            _(
                "This Instagram account has published its %(total)s posts allowed in 24 hours; "
                "it will be tried again later."
            )
            % {"total": total},
            retry_after=await self._quota_frees_in(window),
            raw=json.dumps(answer)[:2000],
        )

    async def _quota_frees_in(self, window: dt.timedelta) -> float:
        now = _now()
        try:
            answer = await self._call(
                "GET",
                f"{self._ig_user_id}/media",
                params={"fields": "id,timestamp", "since": int((now - window).timestamp()), "limit": 100},
            )
        except ConnectorError:
            return 3600.0
        times = [
            parse_time(item.get("timestamp")) for item in answer.get("data") or [] if isinstance(item, dict)
        ]
        known = [time for time in times if time is not None]
        if not known:
            return 3600.0
        return max((min(known) + window - now).total_seconds(), 60.0)

    async def _container(self, fields: dict[str, Any]) -> str:
        answer = await self._call("POST", f"{self._ig_user_id}/media", data=fields)
        container = str(answer.get("id") or "")
        if not container:
            raise ConnectorError(
                _("Instagram took the image but sent no container id."), raw=json.dumps(answer)[:2000]
            )
        return container

    async def _wait_until_ready(self, container: str) -> None:
        """Poll the container until Instagram has processed it (bounded); ERROR or EXPIRED is final."""
        for attempt in range(STATUS_POLLS):
            answer = await self._call("GET", container, params={"fields": "status_code,status"})
            status = str(answer.get("status_code") or "")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise ConnectorError(
                    _("Instagram could not process the image (%(detail)s).")
                    % {"detail": answer.get("status") or status},
                    permanent=True,
                    raw=json.dumps(answer)[:2000],
                )
            if attempt < STATUS_POLLS - 1:
                await asyncio.sleep(POLL_INTERVAL)
        raise ConnectorError(_("Instagram is still processing the image; it will be tried again."))

    async def _permalink(self, media_id: str) -> tuple[str, dt.datetime | None]:
        try:
            answer = await self._call("GET", media_id, params={"fields": "permalink,timestamp"})
        except ConnectorError:
            return f"https://www.instagram.com/{self.account.handle}/", None
        return str(answer.get("permalink") or ""), parse_time(answer.get("timestamp"))


def _all_newer(comments: list[dict[str, Any]], since: dt.datetime) -> bool:
    """Every comment on the page (with a readable time) is newer than `since`: the next may be too."""
    times = [parse_time(comment.get("timestamp")) for comment in comments]
    return all(time >= since for time in times if time is not None)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _alt(item: MediaItem) -> dict[str, str]:
    return {"alt_text": item.alt_text.strip()} if item.alt_text.strip() else {}
