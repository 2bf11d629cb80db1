"""X's OAuth 2 with PKCE (confidential client), token refresh, and how its error answers read.

Access tokens last two hours; with `offline.access` a refresh token comes along, and every refresh returns
a new one (the old one stops working), so refreshed credentials must always be stored.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx

from flokk.channels.connectors import oauth2
from flokk.channels.connectors.base import ConnectorError, OAuthApp

NETWORK_NAME = "X"
API_BASE = "https://api.x.com"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
# like.write for liking and tweet.moderate.write for hiding replies, from the inbox.
SCOPES = (
    "tweet.read",
    "tweet.write",
    "users.read",
    "offline.access",
    "media.write",
    "like.write",
    "tweet.moderate.write",
)
# Tests put an `httpx.MockTransport` here; None is the real network.
TRANSPORT: httpx.AsyncBaseTransport | None = None
DUPLICATE = "duplicate content"

body_of = oauth2.body_of
redacted = oauth2.redacted
expires_at = oauth2.expires_at


def new_client() -> httpx.AsyncClient:
    return oauth2.new_client(TRANSPORT)


def api_base(app: OAuthApp | None) -> str:
    return app.base_url.rstrip("/") if app is not None and app.base_url else API_BASE


def authorization_url(app: OAuthApp, *, state: str, code_challenge: str) -> str:
    """With a PKCE challenge (S256), which X requires."""
    authorize = app.base_url.rstrip("/") + "/i/oauth2/authorize" if app.base_url else AUTHORIZE_URL
    return oauth2.authorization_url(
        authorize,
        app,
        state=state,
        scopes=SCOPES,
        code_challenge=code_challenge,
        code_challenge_method="S256",
    )


def reason(response: httpx.Response) -> str:
    """X's words for the error: `detail` (problem JSON), else the first of `errors`, else the status."""
    payload = body_of(response)
    if payload.get("detail"):
        return str(payload["detail"])
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0].get("detail") or "")
    return str(payload.get("error_description") or payload.get("title") or response.reason_phrase)


def is_duplicate(response: httpx.Response) -> bool:
    return response.status_code == 403 and DUPLICATE in reason(response).lower()


def retry_after(response: httpx.Response, now: float | None = None) -> float:
    """Seconds until `x-rate-limit-reset` (a Unix time), else `Retry-After`, else a minute."""
    now = time.time() if now is None else now
    try:
        return max(float(response.headers["x-rate-limit-reset"]) - now, 1.0)
    except (KeyError, ValueError):
        return oauth2.retry_after_header(response)


def error_for(response: httpx.Response, *, sent: bool = False) -> ConnectorError:
    message = reason(response)
    common = oauth2.common_error(
        response, network=NETWORK_NAME, reason=message, retry_after=retry_after, sent=sent
    )
    return common or oauth2.refused(response, network=NETWORK_NAME, reason=message)


def transport_error(error: httpx.HTTPError, *, sent: bool) -> ConnectorError:
    return oauth2.transport_error(error, network=NETWORK_NAME, sent=sent)


def json_of(response: httpx.Response, *, sent: bool = False) -> dict[str, Any]:
    return oauth2.json_of(response, network=NETWORK_NAME, sent=sent)


def credentials_from(payload: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Every refresh brings a new refresh token, so nothing is kept from the previous credentials."""
    return oauth2.credentials_from(payload, now, network=NETWORK_NAME)


async def request_token(client: httpx.AsyncClient, app: OAuthApp, form: dict[str, str]) -> dict[str, Any]:
    """POST to X's token endpoint as a confidential client (HTTP Basic with the client id and secret)."""
    return await oauth2.post_token_request(
        client,
        f"{api_base(app)}/2/oauth2/token",
        network=NETWORK_NAME,
        data={**form, "client_id": app.client_id},
        auth=httpx.BasicAuth(app.client_id, app.client_secret) if app.client_secret else httpx.Auth(),
        refusal_reason=reason,
        error_for=error_for,
    )
