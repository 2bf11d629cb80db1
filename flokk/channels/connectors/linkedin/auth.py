"""LinkedIn's OAuth 2 (authorization code, with refresh tokens) and how its error answers read.

LinkedIn's standard web flow has no PKCE (that is reserved to approved native apps), so the challenge Flokk
passes is not sent; the `state` and the client secret protect the exchange. Access tokens last 60 days and
refresh tokens a year; both lifetimes come back with each token answer and are kept in the credentials.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from flokk.channels.connectors import oauth2
from flokk.channels.connectors.base import ConnectorError, OAuthApp

NETWORK_NAME = "LinkedIn"
API_BASE = "https://api.linkedin.com"
OAUTH_BASE = "https://www.linkedin.com"
SCOPES = ("w_organization_social", "r_organization_social", "rw_organization_admin")
RESTLI_PROTOCOL = "2.0.0"
# Tests put an `httpx.MockTransport` here; None is the real network.
TRANSPORT: httpx.AsyncBaseTransport | None = None

redacted = oauth2.redacted
expires_at = oauth2.expires_at


def new_client() -> httpx.AsyncClient:
    return oauth2.new_client(TRANSPORT)


def api_base(app: OAuthApp | None) -> str:
    return app.base_url.rstrip("/") if app is not None and app.base_url else API_BASE


def oauth_base(app: OAuthApp | None) -> str:
    return app.base_url.rstrip("/") if app is not None and app.base_url else OAUTH_BASE


def linkedin_version(app: OAuthApp | None) -> str:
    """The API version to ask for: the organization's app setting, else `FLOKK_LINKEDIN_VERSION`."""
    version = str(app.options.get("linkedin_version", "")) if app is not None else ""
    return version or str(settings.FLOKK_LINKEDIN_VERSION)


def rest_headers(access_token: str, version: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {access_token}",
        "LinkedIn-Version": version,
        "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
    }


def authorization_url(app: OAuthApp, *, state: str) -> str:
    """No PKCE challenge: LinkedIn's web flow does not take one."""
    return oauth2.authorization_url(
        f"{oauth_base(app)}/oauth/v2/authorization", app, state=state, scopes=SCOPES
    )


def error_for(response: httpx.Response, *, version: str, sent: bool = False) -> ConnectorError:
    """A LinkedIn error answer as a `ConnectorError`; `sent` marks a create whose outcome may be unknown."""
    payload = oauth2.body_of(response)
    code = str(payload.get("code", ""))
    message = str(
        payload.get("message", "") or payload.get("error_description", "") or response.reason_phrase
    )
    status = response.status_code
    if status == 426 or code == "NONEXISTENT_VERSION":
        return ConnectorError(
            _(
                "LinkedIn no longer accepts API version %(version)s. Update the LinkedIn version in the "
                "organization's network app settings (a recent month, YYYYMM)."
            )
            % {"version": version},
            permanent=True,
            status_code=status,
            raw=redacted(response),
        )
    common = oauth2.common_error(
        response, network=NETWORK_NAME, reason=message, retry_after=oauth2.retry_after_header, sent=sent
    )
    if common is not None:
        return common
    if status == 403:
        return ConnectorError(
            _("LinkedIn does not allow this for the account: %(reason)s") % {"reason": message},
            permanent=True,
            status_code=status,
            raw=redacted(response),
        )
    return oauth2.refused(response, network=NETWORK_NAME, reason=message)


def transport_error(error: httpx.HTTPError, *, sent: bool) -> ConnectorError:
    return oauth2.transport_error(error, network=NETWORK_NAME, sent=sent)


def json_of(response: httpx.Response) -> dict[str, Any]:
    return oauth2.json_of(response, network=NETWORK_NAME)


def credentials_from(
    payload: dict[str, Any], now: dt.datetime, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A refresh may omit the refresh token: the previous one is kept."""
    return oauth2.credentials_from(payload, now, network=NETWORK_NAME, previous=previous)


def _refusal_reason(response: httpx.Response) -> str:
    payload = oauth2.body_of(response)
    return str(payload.get("error_description") or payload.get("error") or "invalid grant")


async def request_token(client: httpx.AsyncClient, app: OAuthApp, form: dict[str, str]) -> dict[str, Any]:
    """POST to LinkedIn's token endpoint, the client id and secret in the form body."""
    return await oauth2.post_token_request(
        client,
        f"{oauth_base(app)}/oauth/v2/accessToken",
        network=NETWORK_NAME,
        data={**form, "client_id": app.client_id, "client_secret": app.client_secret},
        auth=httpx.Auth(),
        refusal_reason=_refusal_reason,
        error_for=lambda response: error_for(response, version=""),
    )
