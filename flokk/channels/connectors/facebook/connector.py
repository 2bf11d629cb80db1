"""The Facebook Pages connector: posts to a Page's feed with the Page's access token (Graph API).

Text and a link go to `POST /{page-id}/feed` (`message`, `link`; Facebook draws the link card). Images are
first uploaded unpublished (`POST /{page-id}/photos`, `published=false`, alt text as `alt_text_custom`), then
attached to one feed post (`attached_media`); the link then goes in the text, as Facebook ignores `link`
on a post with photos. Video is not supported yet.

Facebook keeps no idempotency key. When the feed call may have reached Facebook, the engine asks
`find_published`, which reads the Page's posts since the attempt and matches them by text.

The inbox is the comments on the Page's posts, polled and pushed by the Page's `feed` webhook. A poll is
one call, `GET /{page-id}/feed` for the most recent posts, each with its comments expanded with
`filter(stream)` (replies come flat, each naming its `parent`) and `order(reverse_chronological)`
(https://developers.facebook.com/docs/graph-api/reference/page-post/comments/); a post whose
`updated_time` (its last edit or comment) is older than the cursor is passed over, and a post's further
comment pages are read only while a whole page is newer than the cursor. Messenger conversations are
not read.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
    WebhookEvent,
)
from flokk.channels.connectors.facebook import auth, inbox, metrics
from flokk.channels.connectors.facebook.comments import COMMENT_FIELDS, polled_comments, webhook_comment
from flokk.channels.connectors.facebook.graph import comparable, compose_message, parse_time
from flokk.channels.connectors.facebook.graph_connector import GraphConnector
from flokk.channels.networks import Network

NETWORK_NAME = "Facebook"
MAX_IMAGES = 10
FIND_PAGES = 5  # find_published looks at most at this many pages of 100 posts
INBOX_POSTS = 25  # a poll looks at the comments of the Page's most recent posts
COMMENTS_PER_PAGE = 50
COMMENT_PAGES = 4  # per post and poll, once the first is all new
INBOX_FIELDS = (
    "id,updated_time,"
    f"comments.filter(stream).order(reverse_chronological).limit({COMMENTS_PER_PAGE}){{{COMMENT_FIELDS}}}"
)
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


class FacebookConnector(GraphConnector):
    network: ClassVar[str] = Network.FACEBOOK
    capabilities: ClassVar[Capabilities] = Capabilities(
        publish_text=True,
        publish_images=True,
        publish_video=False,
        publish_link=True,
        first_comment=True,
        delete=True,
        read_comments=True,
        reply=True,
        like=True,
        hide_comments=True,
        delete_comments=True,
        webhooks=True,
        metrics=True,  # public counters, the Page's insights and followers (see metrics.py)
    )
    max_concurrency_per_account: ClassVar[int] = 2
    network_name = NETWORK_NAME
    scopes = auth.FACEBOOK_SCOPES
    no_token_message = gettext_noop(
        "Flokk has no access token for this Facebook Page; reconnect the account."
    )
    max_images = MAX_IMAGES

    @property
    def _page_id(self) -> str:
        return str(self.credentials.get("page_id") or self.account.remote_id)

    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        """One Identity per Page the person may publish to, holding that Page's (non-expiring) token."""
        pages = await cls._managed_pages(app, code=code, code_verifier=code_verifier)
        return [
            Identity(
                remote_id=str(page["id"]),
                handle=str(page.get("username") or page.get("name") or page["id"]),
                display_name=str(page.get("name") or ""),
                credentials={"access_token": str(page["access_token"]), "page_id": str(page["id"])},
            )
            for page in pages
        ]

    # --- the contract ------------------------------------------------------------------------------
    async def verify(self) -> Identity:
        page = await self._call("GET", self._page_id, params={"fields": "id,name,username"})
        return Identity(
            remote_id=str(page.get("id") or self._page_id),
            handle=str(page.get("username") or page.get("name") or self.account.handle),
            display_name=str(page.get("name") or ""),
        )

    async def publish(self, publication: Publication) -> Published:
        """One attempt: upload the images unpublished, then one feed post; then the first comment, best
        effort (a failed comment does not fail the post; it is noted in `details`)."""
        images = self._check_images(publication.media)
        photo_ids = [await self._upload_photo(item) for item in images]
        body: dict[str, Any] = {"message": compose_message(publication, link_in_text=bool(photo_ids))}
        if publication.link and not photo_ids:
            body["link"] = publication.link
        for index, photo_id in enumerate(photo_ids):
            body[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        post_id = self._created_id(await self._call("POST", f"{self._page_id}/feed", data=body, sends=True))
        details: dict[str, Any] = {"photo_ids": photo_ids} if photo_ids else {}
        remote_url, published_at = await self._permalink(post_id)
        if publication.first_comment.strip():
            details.update(await self._first_comment(post_id, publication.first_comment.strip()))
        return Published(
            remote_id=post_id,
            remote_url=remote_url,
            published_at=published_at or dt.datetime.now(dt.UTC),
            details=details,
        )

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        wanted = comparable(compose_message(publication, link_in_text=bool(publication.media)))
        plain = comparable(compose_message(publication, link_in_text=False))
        params: dict[str, Any] = {
            "since": int((since - dt.timedelta(minutes=5)).timestamp()),
            "fields": "id,message,created_time,permalink_url",
            "limit": 100,
        }
        post = await self._first_match(
            f"{self._page_id}/published_posts",
            params,
            lambda post: comparable(str(post.get("message") or "")) in (wanted, plain),
            pages=FIND_PAGES,
        )
        if post is None:
            return None
        post_id = str(post.get("id") or "")
        return Published(
            remote_id=post_id,
            remote_url=str(post.get("permalink_url") or post_url(post_id)),
            published_at=parse_time(post.get("created_time")),
            details={"found_by": "text"},
        )

    async def delete(self, remote_id: str) -> None:
        await self._call("DELETE", remote_id)

    # --- the inbox -----------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        since = inbox.parse_cursor(cursor)
        feed = await self._call(
            "GET", f"{self._page_id}/feed", params={"fields": INBOX_FIELDS, "limit": INBOX_POSTS}
        )
        items = []
        for post in feed.get("data") or []:
            post_id = inbox.id_of(post.get("id")) if isinstance(post, dict) else ""
            if not post_id:
                continue
            updated = parse_time(post.get("updated_time"))
            if since is not None and updated is not None and updated < since:
                continue  # nothing said on it since the last poll
            comments = await self._edge_pages(
                post.get("comments"),
                more=lambda page: since is not None and _all_newer(page, since),
                pages=COMMENT_PAGES,
            )
            found = polled_comments(post_id, comments, page_id=self._page_id)
            items += [item for item in found if inbox.is_new(item.created_at, since)]
        return InboxPage(items=tuple(items), cursor=inbox.next_cursor(items, cursor))

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """Comment as the Page under the item's top-level comment (Facebook threads one level deep)."""
        under = target.reply_ref.get("answer_under") or target.remote_id
        answer = await self._call("POST", f"{under}/comments", data={"message": text}, sends=True)
        return Published(
            remote_id=self._created_id(answer),
            published_at=dt.datetime.now(dt.UTC),
            details={"answered_under": under},
        )

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        await self._call("POST", f"{remote_id}/likes")

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        await self._call("POST", remote_id, data={"is_hidden": "true"})

    async def delete_comment(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        await self._call("DELETE", remote_id)

    @classmethod
    def parse_webhook(cls, app: OAuthApp, headers: dict[str, str], body: bytes) -> list[WebhookEvent]:
        """Added comments from the Page `feed` webhook; other feed changes (likes, edits, removals, posts)
        are skipped. See `inbox` for when a whole request is refused."""
        events = []
        for entry in inbox.signed_entries(app, headers, body, object_name="page"):
            page_id = inbox.id_of(entry["id"])
            for field, value in inbox.changes(entry):
                if field != "feed" or value.get("item") != "comment" or value.get("verb") != "add":
                    continue
                item = webhook_comment(value, page_id=page_id, sent_at=entry.get("time"))
                if item is not None:
                    events.append(WebhookEvent(account_remote_id=page_id, item=item))
        return events

    # --- metrics -------------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """The posts' public counters (50 posts a call), each post's insights (one call a post; a post
        whose insights cannot be read keeps its public counters) and the Page's followers."""
        posts: dict[str, dict[str, int]] = {}
        for batch in metrics.batches(remote_ids):
            found = await self._read_objects(batch, metrics.POST_FIELDS)
            for post_id, post in found.items():
                posts[post_id] = metrics.post_counters(post)
                insights = await self._read_insights(
                    post_id, {"metric": metrics.INSIGHT_METRICS, "period": "lifetime"}
                )
                if insights is not None:
                    posts[post_id].update(metrics.insight_counters(insights))
        page = await self._call("GET", self._page_id, params={"fields": metrics.ACCOUNT_FIELDS})
        return MetricsPage(posts=posts, account=metrics.account_counters(page), missing=metrics.MISSING)

    # --- parts ---------------------------------------------------------------------------------------
    async def _upload_photo(self, item: MediaItem) -> str:
        """Upload one image without publishing it; its id goes into the feed post. Not yet a post, so a
        lost answer here leaves nothing to reconcile."""
        data: dict[str, Any] = {"published": "false"}
        if item.alt_text.strip():
            data["alt_text_custom"] = item.alt_text.strip()
        name = f"image.{_EXTENSIONS.get(item.mime_type, 'jpg')}"
        answer = await self._call(
            "POST", f"{self._page_id}/photos", data=data, files={"source": (name, item.data, item.mime_type)}
        )
        photo_id = str(answer.get("id") or "")
        if not photo_id:
            raise ConnectorError(
                _("Facebook took an image but sent no id for it."), raw=json.dumps(answer)[:2000]
            )
        return photo_id

    async def _permalink(self, post_id: str) -> tuple[str, dt.datetime | None]:
        """The post's public link as Facebook gives it, else one built from the id: the post exists either
        way, so a failure here must not fail the publication."""
        try:
            answer = await self._call("GET", post_id, params={"fields": "permalink_url,created_time"})
        except ConnectorError:
            return post_url(post_id), None
        return str(answer.get("permalink_url") or post_url(post_id)), parse_time(answer.get("created_time"))


def _all_newer(comments: list[dict[str, Any]], since: dt.datetime) -> bool:
    """Every comment on the page (with a readable time) is newer than `since`: the next may be too."""
    times = [parse_time(comment.get("created_time")) for comment in comments]
    return all(time >= since for time in times if time is not None)
