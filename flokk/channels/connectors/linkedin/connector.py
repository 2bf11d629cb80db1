"""The LinkedIn connector: publishes as an organization page through the versioned Posts API.

Every REST call carries `LinkedIn-Version` (the organization's app setting, else `FLOKK_LINKEDIN_VERSION`)
and `X-Restli-Protocol-Version: 2.0.0`. LinkedIn keeps no idempotency key, so `find_published` matches the
page's recent posts by their text. An expired access token is refreshed once inside the same call and the
new tokens are left in `updated_credentials` for the engine to store.

The inbox is the comments on the page's most recent posts (LinkedIn sends no webhooks to organization
apps): the posts (`GET /rest/posts?q=author`), then each post's comments
(`GET /rest/socialActions/{post}/comments`, every page up to a bound, as LinkedIn documents no order), then
the nested comments of the most recent comments that have any (`GET /rest/socialActions/{comment}/comments`).
The cursor is the creation time (epoch milliseconds) of the newest comment seen. Answers, likes
(Reactions API) and deletions are made as the organization.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import httpx
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import (
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
)
from flokk.channels.connectors.linkedin import auth, metrics
from flokk.channels.connectors.linkedin.comments import (
    comment_id_of,
    comment_item,
    comment_urn,
    created_ms,
    reply_count,
    urn_of,
)
from flokk.channels.connectors.oauth2 import OAuth2Connector
from flokk.channels.networks import Network

ADMIN_ROLES = frozenset({"ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "CONTENT_ADMIN"})
ORGANIZATION_URN = "urn:li:organization:"
# Little Text Format: these characters are markup in `commentary` and must be escaped, or LinkedIn cuts the
# text short or reads it as a mention.
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_HASHTAG = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^}]*)\}")
_ESCAPED = re.compile(r"\\(.)")
REFRESH_MARGIN = dt.timedelta(minutes=5)
INBOX_POSTS = 20  # a poll reads the comments of the page's most recent posts
COMMENTS_PER_PAGE = 50
COMMENT_PAGES = 4  # per post and poll
REPLY_THREADS = 10  # per poll: the most recent comments that have nested comments


def compose_text(publication: Publication) -> str:
    """The post's text with its hashtags; the link is added only when no card carries it."""
    text = publication.text.strip()
    present = {match.lower() for match in _HASHTAG.findall(text)}
    missing = [tag.lstrip("#") for tag in publication.hashtags if tag.lstrip("#").lower() not in present]
    if [tag for tag in missing if tag]:
        text = f"{text}\n\n{' '.join('#' + tag for tag in missing if tag)}".strip()
    if publication.link and publication.media and publication.link not in text:
        text = f"{text}\n\n{publication.link}"  # a post has either images or an article card
    return text


def commentary(text: str) -> str:
    """Plain text as Little Text Format: reserved characters escaped, hashtags as hashtag templates."""
    parts: list[str] = []
    position = 0
    for match in _HASHTAG.finditer(text):
        parts.append(_RESERVED.sub(r"\\\1", text[position : match.start()]))
        parts.append("{hashtag|\\#|" + match.group(1) + "}")
        position = match.end()
    parts.append(_RESERVED.sub(r"\\\1", text[position:]))
    return "".join(parts)


def plain_text(little_text: str) -> str:
    """Back from Little Text Format to what a reader sees, for comparing posts."""
    text = _HASHTAG_TEMPLATE.sub(lambda match: "#" + match.group(1), little_text)
    return " ".join(_ESCAPED.sub(r"\1", text).split())


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def organization_id(urn: str) -> str:
    return urn.removeprefix(ORGANIZATION_URN)


class LinkedInConnector(OAuth2Connector):
    network = Network.LINKEDIN
    capabilities = Capabilities(
        publish_text=True,
        publish_images=True,
        publish_link=True,
        delete=True,
        read_comments=True,
        reply=True,
        like=True,
        delete_comments=True,
        metrics=True,  # lifetime share statistics of the page's posts and its followers (see metrics.py)
    )

    max_concurrency_per_account: ClassVar[int] = 2
    network_name = auth.NETWORK_NAME
    refresh_margin = REFRESH_MARGIN

    def __init__(self, account: Any, credentials: dict[str, Any], app: OAuthApp | None = None) -> None:
        super().__init__(account, credentials, app)
        self.version = auth.linkedin_version(app)

    # --- OAuth 2 hooks: every REST call carries the version headers --------------------------------
    def _new_client(self) -> httpx.AsyncClient:
        return auth.new_client()

    async def _request_token(
        self, client: httpx.AsyncClient, app: OAuthApp, form: dict[str, str]
    ) -> dict[str, Any]:
        return await auth.request_token(client, app, form)

    def _url(self, path: str) -> str:
        """A path under the API, or a full URL (an image upload address LinkedIn gave)."""
        return path if "://" in path else auth.api_base(self.app) + path

    def _headers(self, access_token: str) -> dict[str, str]:
        return auth.rest_headers(access_token, self.version)

    def _error_for(self, response: httpx.Response, *, sent: bool) -> ConnectorError:
        return auth.error_for(response, version=self.version, sent=sent)

    # --- the contract ------------------------------------------------------------------------------
    async def verify(self) -> Identity:
        response = await self._request(
            "GET", f"/rest/organizations/{organization_id(self.account.remote_id)}"
        )
        return _identity(auth.json_of(response), self.credentials)

    async def publish(self, publication: Publication) -> Published:
        body: dict[str, Any] = {
            "author": self.account.remote_id,
            "commentary": commentary(compose_text(publication)),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if publication.media:
            images = [await self._upload_image(item) for item in publication.media]
            if len(images) == 1:
                body["content"] = {"media": images[0]}
            else:
                body["content"] = {"multiImage": {"images": images}}
        elif publication.link:
            # LinkedIn does not fetch the page for API posts: without a title the card shows the address.
            body["content"] = {
                "article": {"source": publication.link, "title": _link_title(publication.link)}
            }
        response = await self._request("POST", "/rest/posts", json=body, sends=True, expect=(201,))
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise ConnectorError(
                _("LinkedIn accepted the post but did not say where it is."),
                status_code=response.status_code,
                raw=auth.redacted(response),
                outcome_unknown=True,
            )
        return Published(remote_id=urn, remote_url=post_url(urn), published_at=dt.datetime.now(dt.UTC))

    async def _upload_image(self, item: MediaItem) -> dict[str, Any]:
        if not item.mime_type.startswith("image/"):
            raise ConnectorError(
                _("Flokk cannot post %(type)s to LinkedIn yet.") % {"type": item.mime_type}, permanent=True
            )
        response = await self._request(
            "POST",
            "/rest/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self.account.remote_id}},
        )
        value = auth.json_of(response).get("value")
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise ConnectorError(
                _("LinkedIn did not give an upload address for the image."), raw=response.text
            )
        upload_url = str(value["uploadUrl"])
        if not upload_url.startswith(("https://", auth.api_base(self.app) + "/")):
            raise ConnectorError(_("LinkedIn gave an upload address Flokk will not use."), raw=upload_url)
        await self._request(
            "PUT",
            upload_url,
            content=item.data,
            headers={"Content-Type": "application/octet-stream"},
            expect=(200, 201),
        )
        image: dict[str, Any] = {"id": str(value["image"])}
        if item.alt_text:
            image["altText"] = item.alt_text[:4086]
        return image

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        author = quote(self.account.remote_id, safe="")
        response = await self._request(
            "GET",
            f"/rest/posts?author={author}&q=author&count=20",
            headers={"X-RestLi-Method": "FINDER"},
        )
        wanted = plain_text(commentary(compose_text(publication)))
        elements = auth.json_of(response).get("elements")
        for element in elements if isinstance(elements, list) else []:
            if not isinstance(element, dict):
                continue
            created_ms = element.get("publishedAt") or element.get("createdAt")
            if isinstance(created_ms, int | float):
                created = dt.datetime.fromtimestamp(created_ms / 1000, dt.UTC)
                if created < since - dt.timedelta(minutes=5):
                    continue
            if plain_text(str(element.get("commentary", ""))) == wanted and element.get("id"):
                urn = str(element["id"])
                return Published(remote_id=urn, remote_url=post_url(urn), details={"found_by": "text"})
        return None

    async def delete(self, remote_id: str) -> None:
        await self._request(
            "DELETE", f"/rest/posts/{quote(remote_id, safe='')}", headers={"X-RestLi-Method": "DELETE"}
        )

    # --- the inbox -----------------------------------------------------------------------------------
    async def fetch_inbox(self, cursor: str) -> InboxPage:
        since = int(cursor) if cursor.isdigit() else None
        items: list[InboundItem] = []
        threads: list[tuple[int, str, str]] = []  # (time, comment URN, post URN) of comments with replies
        for post_urn in await self._recent_posts():
            for element in await self._comments(post_urn, pages=COMMENT_PAGES):
                items += self._items([element], post_urn)
                if reply_count(element) and urn_of(element):
                    threads.append((created_ms(element) or 0, urn_of(element), post_urn))
        for _time, urn, post_urn in sorted(threads, reverse=True)[:REPLY_THREADS]:
            items += self._items(await self._comments(urn, pages=1), post_urn)
        new = [item for item in items if since is None or _ms(item) >= since]
        newest = max((_ms(item) for item in new), default=None)
        return InboxPage(items=tuple(new), cursor=str(newest) if newest is not None else cursor)

    def _items(self, elements: list[dict[str, Any]], post_urn: str) -> list[InboundItem]:
        found = (
            comment_item(
                element, post_urn=post_urn, organization=self.account.remote_id, url=post_url(post_urn)
            )
            for element in elements
        )
        return [item for item in found if item is not None]

    async def _recent_posts(self) -> list[str]:
        author = quote(self.account.remote_id, safe="")
        response = await self._request(
            "GET",
            f"/rest/posts?author={author}&q=author&count={INBOX_POSTS}",
            headers={"X-RestLi-Method": "FINDER"},
        )
        elements = auth.json_of(response).get("elements")
        return [
            str(element["id"])
            for element in (elements if isinstance(elements, list) else [])
            if isinstance(element, dict) and isinstance(element.get("id"), str) and element["id"]
        ]

    async def _comments(self, on_urn: str, *, pages: int) -> list[dict[str, Any]]:
        """The comments made on a post or a comment, page by page (`start`, `count`, `paging.total`)."""
        path = f"/rest/socialActions/{quote(on_urn, safe='')}/comments"
        found: list[dict[str, Any]] = []
        for page in range(pages):
            start = page * COMMENTS_PER_PAGE
            response = await self._request("GET", f"{path}?start={start}&count={COMMENTS_PER_PAGE}")
            payload = auth.json_of(response)
            elements = payload.get("elements")
            found += (
                [item for item in elements if isinstance(item, dict)] if isinstance(elements, list) else []
            )
            paging = payload.get("paging")
            total = paging.get("total") if isinstance(paging, dict) else None
            if not isinstance(total, int) or start + COMMENTS_PER_PAGE >= total:
                break
        return found

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        """A nested comment as the organization, under the top-level comment (LinkedIn nests one level)."""
        under = target.reply_ref.get("answer_under") or target.remote_id
        body = {
            "actor": self.account.remote_id,
            "object": target.reply_ref.get("object") or target.thread_id,
            "message": {"text": text},
            "parentComment": under,
        }
        response = await self._request(
            "POST",
            f"/rest/socialActions/{quote(under, safe='')}/comments",
            json=body,
            sends=True,
            expect=(201,),
        )
        created = auth.json_of(response) if response.content else {}
        urn = urn_of(created)
        new_id = response.headers.get("x-restli-id", "") or str(created.get("id") or "")
        if not urn and not new_id:
            raise ConnectorError(
                _("LinkedIn accepted the answer but did not say where it is."),
                status_code=response.status_code,
                raw=auth.redacted(response),
                outcome_unknown=True,
            )
        return Published(
            remote_id=urn or comment_urn(under, new_id),
            remote_url=post_url(target.thread_id) if target.thread_id else "",
            published_at=dt.datetime.now(dt.UTC),
            details={"answered_under": under},
        )

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """A LIKE reaction by the organization (Reactions API, "Create a Reaction on a Comment")."""
        actor = quote(self.account.remote_id, safe="")
        await self._request(
            "POST",
            f"/rest/reactions?actor={actor}",
            json={"root": remote_id, "reactionType": "LIKE"},
            expect=(201,),
        )

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        raise ConnectorError(_("LinkedIn does not let pages hide comments."), permanent=True)

    async def delete_comment(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        """Delete a comment on the organization's post, as the organization."""
        target = reply_ref.get("target") or reply_ref.get("post") or ""
        comment_id = reply_ref.get("comment_id") or comment_id_of(remote_id)
        if not target or not comment_id:
            raise ConnectorError(
                _("Flokk does not know which LinkedIn post this comment is on."),
                permanent=True,
                raw=remote_id,
            )
        on = quote(target, safe="")
        actor = quote(self.account.remote_id, safe="")
        await self._request(
            "DELETE",
            f"/rest/socialActions/{on}/comments/{quote(comment_id, safe='')}?actor={actor}",
            expect=(200, 204),
        )

    # --- metrics -------------------------------------------------------------------------------------
    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        """The posts' lifetime statistics (20 posts a call) and the page's followers."""
        posts: dict[str, dict[str, int]] = {}
        for batch in metrics.batches(remote_ids):
            response = await self._request("GET", metrics.statistics_path(self.account.remote_id, batch))
            found = metrics.post_counters(auth.json_of(response))
            posts.update({urn: counters for urn, counters in found.items() if urn in batch})
        organization = quote(self.account.remote_id, safe="")
        response = await self._request(
            "GET", f"/rest/networkSizes/{organization}?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
        )
        return MetricsPage(
            posts=posts, account=metrics.account_counters(auth.json_of(response)), missing=metrics.MISSING
        )

    # --- OAuth -------------------------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, app: OAuthApp, *, state: str, code_challenge: str) -> str:
        return auth.authorization_url(app, state=state)

    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        """Tokens for the code, then one Identity per organization page the member administers."""
        version = auth.linkedin_version(app)
        async with auth.new_client() as client:
            payload = await auth.request_token(
                client,
                app,
                {"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri},
            )
            credentials = auth.credentials_from(payload, dt.datetime.now(dt.UTC))
            headers = auth.rest_headers(credentials["access_token"], version)
            base = auth.api_base(app)
            try:
                response = await client.get(
                    f"{base}/rest/organizationAcls?q=roleAssignee&state=APPROVED", headers=headers
                )
                if response.status_code != 200:
                    raise auth.error_for(response, version=version)
                acls = auth.json_of(response).get("elements")
                urns: list[str] = []
                for acl in acls if isinstance(acls, list) else []:
                    if isinstance(acl, dict) and acl.get("role") in ADMIN_ROLES:
                        urn = str(acl.get("organization", ""))
                        if urn.startswith(ORGANIZATION_URN) and urn not in urns:
                            urns.append(urn)
                identities = []
                for urn in urns:
                    response = await client.get(
                        f"{base}/rest/organizations/{organization_id(urn)}", headers=headers
                    )
                    if response.status_code != 200:
                        raise auth.error_for(response, version=version)
                    identities.append(_identity(auth.json_of(response), credentials))
            except httpx.HTTPError as error:
                raise auth.transport_error(error, sent=False) from None
        return identities


def _identity(organization: dict[str, Any], credentials: dict[str, Any]) -> Identity:
    org_id = str(organization.get("id", ""))
    if not org_id:
        raise ConnectorError(_("LinkedIn's answer about the page has no id."), raw=str(organization)[:500])
    name = str(organization.get("localizedName", "") or "")
    return Identity(
        remote_id=ORGANIZATION_URN + org_id,
        handle=str(organization.get("vanityName", "") or org_id),
        display_name=name,
        credentials=dict(credentials),
        credentials_expire_at=auth.expires_at(credentials, "refresh_token_expires_at")
        or auth.expires_at(credentials),
    )


def _link_title(link: str) -> str:
    parts = urlsplit(link)
    return (parts.hostname or link).removeprefix("www.")[:400]


def _ms(item: InboundItem) -> int:
    return round(item.created_at.timestamp() * 1000)
