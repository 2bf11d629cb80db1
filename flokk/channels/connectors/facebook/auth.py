"""Facebook Login for Pages (and for Instagram business accounts, which are reached through their Page).

The exchange: the callback's code becomes a short-lived user token, that becomes a long-lived user token
(`fb_exchange_token`), and `GET /me/accounts` with it lists the Pages the person manages, each with a Page
access token. Page tokens obtained from a long-lived user token do not expire, so they are what Flokk
stores; they stop working only when the person changes their password, leaves the Page or removes the app
(Graph error 190, which asks for a reconnect).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from flokk.channels.connectors.base import ConnectorError, OAuthApp
from flokk.channels.connectors.facebook.graph import GraphClient, api_version

# Commenting as the Page (the first comment) needs `pages_manage_engagement`; on Instagram,
# `instagram_manage_comments`. Without them the post still goes out and the comment fails, noted in details.
FACEBOOK_SCOPES = (
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_show_list",
    "pages_manage_metadata",
    "pages_manage_engagement",
    "read_insights",  # post impressions, reach and link clicks (metrics.py)
)
INSTAGRAM_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_metadata",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",  # media reach, saves, shares and views (instagram/metrics.py)
)
PAGE_FIELDS = "id,name,username,access_token,tasks"
MAX_PAGES_OF_ACCOUNTS = 10  # /me/accounts pages of 100: a thousand Pages is plenty for one person
# Without this task on a Page, the person (and so Flokk) cannot publish to it.
CREATE_CONTENT = "CREATE_CONTENT"


def dialog_url(app: OAuthApp) -> str:
    if app.base_url:
        return app.base_url.rstrip("/") + "/dialog/oauth"
    return f"https://www.facebook.com/{api_version()}/dialog/oauth"


def authorization_url(app: OAuthApp, *, state: str, code_challenge: str, scopes: tuple[str, ...]) -> str:
    """The Login dialog. `auth_type=rerequest` asks again for permissions declined at an earlier connect."""
    query = urlencode(
        {
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(scopes),
            "auth_type": "rerequest",
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{dialog_url(app)}?{query}"


async def long_lived_user_token(graph: GraphClient, app: OAuthApp, *, code: str, code_verifier: str) -> str:
    """Trade the callback's code for a long-lived user token (about 60 days; only used to list Pages).

    Both exchanges are POSTed (the endpoint takes either) so the app secret stays out of logged URLs."""
    params = {
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": app.redirect_uri,
        "code": code,
    }
    if code_verifier:
        params["code_verifier"] = code_verifier
    short = await graph.request("POST", "oauth/access_token", data=params)
    short_token = _token_of(short, graph.network)
    long = await graph.request(
        "POST",
        "oauth/access_token",
        data={
            "grant_type": "fb_exchange_token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "fb_exchange_token": short_token,
        },
    )
    return _token_of(long, graph.network)


def _token_of(payload: dict[str, Any], network: str) -> str:
    token = payload.get("access_token")
    if not isinstance(token, str) or not token:
        raise ConnectorError(
            _("%(network)s's token answer has no access token.") % {"network": network},
            raw="token answer without access_token",
        )
    return token


async def managed_pages(
    graph: GraphClient, user_token: str, *, fields: str = PAGE_FIELDS
) -> list[dict[str, Any]]:
    """The Pages the person may publish to, each with its Page access token, following `paging.next`."""
    pages: list[dict[str, Any]] = []
    payload = await graph.request(
        "GET", "me/accounts", token=user_token, params={"fields": fields, "limit": 100}
    )
    for _round in range(MAX_PAGES_OF_ACCOUNTS):
        for page in payload.get("data") or []:
            if not isinstance(page, dict) or not page.get("id") or not page.get("access_token"):
                continue
            tasks = page.get("tasks")
            if isinstance(tasks, list) and CREATE_CONTENT not in tasks:
                continue
            pages.append(page)
        next_url = (payload.get("paging") or {}).get("next")
        if not isinstance(next_url, str) or not next_url:
            break
        payload = await graph.request("GET", next_url, token=user_token)
    return pages
