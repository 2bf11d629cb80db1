"""The Facebook Pages connector: posts to a Page's feed with the Page's access token (Graph API).

Text and a link go to `POST /{page-id}/feed` (`message`, `link`; Facebook draws the link card). Images are
first uploaded unpublished (`POST /{page-id}/photos`, `published=false`, alt text as `alt_text_custom`), then
attached to one feed post (`attached_media`); the link then goes in the text, as Facebook ignores `link`
on a post with photos. Video is not supported yet.

Facebook keeps no idempotency key. When the feed call may have reached Facebook, the engine asks
`find_published`, which reads the Page's posts since the attempt and matches them by text.
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
    MediaItem,
    OAuthApp,
    Publication,
    Published,
)
from flokk.channels.connectors.facebook import auth
from flokk.channels.connectors.facebook.graph import comparable, compose_message
from flokk.channels.connectors.facebook.graph_connector import GraphConnector
from flokk.channels.networks import Network

NETWORK_NAME = "Facebook"
MAX_IMAGES = 10
FIND_PAGES = 5  # find_published looks at most at this many pages of 100 posts
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def parse_time(value: Any) -> dt.datetime | None:
    """Graph times look like `2024-05-01T12:00:00+0000`."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None


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
