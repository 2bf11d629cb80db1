"""What the Facebook and Instagram connectors share: calls with the stored Page token, Facebook Login, the
first comment, the media checks and reading recent posts back page by page.

A subclass names its network (`network_name`), the Login scopes it asks for (`scopes`) and the message for
a missing token (`no_token_message`); its posts, ids and URLs stay its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import AccountRef, Connector, ConnectorError, MediaItem, OAuthApp
from flokk.channels.connectors.facebook import auth
from flokk.channels.connectors.facebook.graph import GraphClient, graph_error_code

GONE_CODES = frozenset({100, 803})


class GraphConnector(Connector):
    """A connector that calls the Graph API with the access token in its credentials."""

    network_name: ClassVar[str]
    scopes: ClassVar[tuple[str, ...]]
    no_token_message: ClassVar[str]  # marked with gettext_noop; translated when raised
    max_images: ClassVar[int] = 10

    def __init__(
        self,
        account: AccountRef,
        credentials: dict[str, Any],
        app: OAuthApp | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(account, credentials, app)
        self.graph = GraphClient(app, network=self.network_name, transport=transport)

    @property
    def _token(self) -> str:
        return str(self.credentials.get("access_token") or "")

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One Graph call with the stored token (see `GraphClient.request`); no token means reconnect."""
        if not self._token:
            raise ConnectorError(_(self.no_token_message), needs_reconnect=True)
        return await self.graph.request(method, path, token=self._token, **kwargs)

    async def aclose(self) -> None:
        await self.graph.aclose()

    async def subscribe_webhooks(self) -> None:
        """Install Flokk's app on the account's Page for its `feed` webhooks: Meta sends a Page's (and its
        linked Instagram account's) webhooks only to apps the Page installed this way
        (https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps/). To call once
        when the account is connected; asking again changes nothing."""
        page_id = str(self.credentials.get("page_id") or "")
        if not page_id:
            raise ConnectorError(_(self.no_token_message), needs_reconnect=True)
        await self._call("POST", f"{page_id}/subscribed_apps", data={"subscribed_fields": "feed"})

    # --- Facebook Login ----------------------------------------------------------------------------
    @classmethod
    def authorization_url(cls, app: OAuthApp, *, state: str, code_challenge: str) -> str:
        return auth.authorization_url(app, state=state, code_challenge=code_challenge, scopes=cls.scopes)

    @classmethod
    async def _managed_pages(
        cls, app: OAuthApp, *, code: str, code_verifier: str, fields: str = auth.PAGE_FIELDS
    ) -> list[dict[str, Any]]:
        """The Pages (with `fields`, each with its Page token) the person who logged in may publish to."""
        graph = GraphClient(app, network=cls.network_name)
        try:
            user_token = await auth.long_lived_user_token(graph, app, code=code, code_verifier=code_verifier)
            return await auth.managed_pages(graph, user_token, fields=fields)
        finally:
            await graph.aclose()

    # --- parts -------------------------------------------------------------------------------------
    def _check_images(self, media: tuple[MediaItem, ...]) -> list[MediaItem]:
        """Images only (no video yet), at most `max_images`; else a permanent error."""
        if any(not item.mime_type.startswith("image/") for item in media):
            raise ConnectorError(
                _("Flokk cannot publish videos to %(network)s yet.") % {"network": self.network_name},
                permanent=True,
            )
        if len(media) > self.max_images:
            raise ConnectorError(
                _("%(network)s takes at most %(count)s images in one post.")
                % {"network": self.network_name, "count": self.max_images},
                permanent=True,
            )
        return list(media)

    def _created_id(self, answer: dict[str, Any]) -> str:
        """The id of the post a publishing call created; without one the outcome is unknown."""
        created = str(answer.get("id") or "")
        if not created:
            raise ConnectorError(
                _("%(network)s accepted the post but sent no id for it.") % {"network": self.network_name},
                raw=json.dumps(answer)[:2000],
                outcome_unknown=True,
            )
        return created

    async def _first_comment(self, object_id: str, message: str) -> dict[str, Any]:
        """Comment on the new post, best effort: a failure is noted in the details, never raised."""
        try:
            answer = await self._call("POST", f"{object_id}/comments", data={"message": message})
        except ConnectorError as error:
            return {"first_comment_error": error.message}
        return {"first_comment_id": str(answer.get("id") or "")}

    async def _edge_pages(
        self, edge: Any, *, more: Callable[[list[dict[str, Any]]], bool], pages: int
    ) -> list[dict[str, Any]]:
        """The objects of an edge a call expanded (`{"data": [...], "paging": {"next"}}`), then of its
        following pages while `more(page)` says the last page is worth going on from, at most `pages`."""
        found: list[dict[str, Any]] = []
        for page in range(pages):
            if not isinstance(edge, dict):
                break
            data = [item for item in edge.get("data") or [] if isinstance(item, dict)]
            found += data
            next_url = (edge.get("paging") or {}).get("next")
            if (
                page == pages - 1
                or not data
                or not isinstance(next_url, str)
                or not next_url
                or not more(data)
            ):
                break
            edge = await self._call("GET", next_url)
        return found

    async def _read_objects(self, ids: list[str], fields: str) -> dict[str, dict[str, Any]]:
        """`fields` of objects by id, in one multiple-ID read (`GET /?ids=...`, at most 50 ids): objects
        the network no longer has are left out. Graph refuses the whole read when one id is gone, so such
        a batch is read again one object at a time. Reconnects, rate limits, missing permissions and
        transient failures are raised."""
        if not ids:
            return {}
        try:
            answer = await self._call("GET", "", params={"ids": ",".join(ids), "fields": fields})
        except ConnectorError as error:
            if not _gone(error):
                raise
            if len(ids) == 1:
                return {}
            found: dict[str, dict[str, Any]] = {}
            for object_id in ids:
                found.update(await self._read_objects([object_id], fields))
            return found
        return {
            object_id: answer[object_id]
            for object_id in ids
            if isinstance(answer.get(object_id), dict) and answer[object_id]
        }

    async def _read_insights(self, object_id: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """An object's insights (`GET /{id}/insights`), or None when they cannot be read for it (a metric
        its kind of media does not have, too few viewers, a passing failure): the other objects and the
        public counters still count. A token Meta refuses, or a rate limit, is raised."""
        try:
            return await self._call("GET", f"{object_id}/insights", params=params)
        except ConnectorError as error:
            if error.needs_reconnect or error.retry_after is not None:
                raise
            return None

    async def _first_match(
        self, path: str, params: dict[str, Any], matches: Callable[[dict[str, Any]], bool], *, pages: int
    ) -> dict[str, Any] | None:
        """The first item of a Graph list (`data`) that `matches`, reading at most `pages` pages."""
        payload = await self._call("GET", path, params=params)
        for page in range(pages):
            if page:
                next_url = (payload.get("paging") or {}).get("next")
                if not isinstance(next_url, str) or not next_url:
                    return None
                payload = await self._call("GET", next_url)
            for item in payload.get("data") or []:
                if isinstance(item, dict) and matches(item):
                    return item
        return None


def _gone(error: ConnectorError) -> bool:
    """Graph says an object asked for does not exist (or cannot be loaded): (#803) "Some of the aliases
    you requested do not exist", or (#100) "Object with ID ... does not exist"."""
    return not error.needs_reconnect and graph_error_code(error) in GONE_CODES
