"""The OAuth 2 authorization-code flow with refresh tokens, shared by the LinkedIn and X connectors.

What is the same for both networks lives here: the authorize URL, posting to a token endpoint, turning a
token answer into stored credentials, reading answers and their errors, and `OAuth2Connector`, which sends
each API call with the bearer token and renews an expired token once. What differs (endpoints, scopes,
client authentication, headers, error codes) stays in each network's `auth.py` and `connector.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import Connector, ConnectorError, OAuthApp

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_RETRY_AFTER = 60.0


def new_client(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """An HTTP client with Flokk's timeouts that follows no redirects (a token must not travel on)."""
    return httpx.AsyncClient(timeout=TIMEOUT, transport=transport, follow_redirects=False)


def authorization_url(
    endpoint: str, app: OAuthApp, *, state: str, scopes: tuple[str, ...], **extra: str
) -> str:
    """The authorize URL for a code grant: the app, its redirect, `state`, space-separated `scopes`, then
    any network-specific parameters in `extra` (such as a PKCE challenge)."""
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "state": state,
        "scope": " ".join(scopes),
        **extra,
    }
    return f"{endpoint}?{urlencode(query)}"


def body_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or `{}` when it is not one (never raises)."""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def redacted(response: httpx.Response) -> str:
    """The answer for the delivery log, with any access or refresh token blanked out."""
    payload = body_of(response)
    for key in ("access_token", "refresh_token"):
        if key in payload:
            payload[key] = "[redacted]"
    return f"HTTP {response.status_code} {json.dumps(payload)[:3000] if payload else response.text[:3000]}"


def retry_after_header(response: httpx.Response) -> float:
    """Seconds from the `Retry-After` header (at least one), else a minute."""
    try:
        return max(float(response.headers.get("retry-after", "")), 1.0)
    except ValueError:
        return DEFAULT_RETRY_AFTER


def json_of(response: httpx.Response, *, network: str, sent: bool = False) -> dict[str, Any]:
    """The JSON object of a successful answer; anything else is a transient `ConnectorError` (an unknown
    outcome when `sent`: the call may have created something)."""
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        raise ConnectorError(
            _("%(network)s sent an answer Flokk cannot read.") % {"network": network},
            status_code=response.status_code,
            raw=response.text,
            outcome_unknown=sent,
        )
    return payload


def transport_error(error: httpx.HTTPError, *, network: str, sent: bool) -> ConnectorError:
    """A timeout or dropped connection: transient; an unknown outcome if a create may have arrived."""
    reached = sent and not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
    return ConnectorError(
        _("%(network)s could not be reached (%(error)s).")
        % {"network": network, "error": type(error).__name__},
        outcome_unknown=reached,
        raw=str(error),
    )


def common_error(
    response: httpx.Response,
    *,
    network: str,
    reason: str,
    retry_after: Callable[[httpx.Response], float],
    sent: bool,
) -> ConnectorError | None:
    """The error for the statuses both networks read alike: 401 (reconnect), 429 (wait `retry_after`),
    5xx (transient; unknown outcome when `sent`). None for any other status: the network decides."""
    status = response.status_code
    raw = redacted(response)
    if status == 401:
        return ConnectorError(
            _("%(network)s refused the account's access (%(reason)s); reconnect the account.")
            % {"network": network, "reason": reason},
            needs_reconnect=True,
            status_code=status,
            raw=raw,
        )
    if status == 429:
        return ConnectorError(
            _("%(network)s asks to slow down.") % {"network": network},
            retry_after=retry_after(response),
            status_code=status,
            raw=raw,
        )
    if status >= 500:
        return ConnectorError(
            _("%(network)s is not answering properly (HTTP %(status)s).")
            % {"network": network, "status": status},
            status_code=status,
            raw=raw,
            outcome_unknown=sent,
        )
    return None


def refused(response: httpx.Response, *, network: str, reason: str) -> ConnectorError:
    """A permanent refusal, in the network's own words."""
    return ConnectorError(
        _("%(network)s refused: %(reason)s") % {"network": network, "reason": reason},
        permanent=True,
        status_code=response.status_code,
        raw=redacted(response),
    )


async def post_token_request(
    client: httpx.AsyncClient,
    url: str,
    *,
    network: str,
    data: dict[str, str],
    auth: httpx.Auth,
    refusal_reason: Callable[[httpx.Response], str],
    error_for: Callable[[httpx.Response], ConnectorError],
) -> dict[str, Any]:
    """POST a grant to a token endpoint and return its JSON answer.

    A 400 or 401 is a refused grant (a revoked or used-up code or refresh token): the account must be
    reconnected, with `refusal_reason` saying why. Other errors go through the network's `error_for`."""
    try:
        response = await client.post(url, data=data, auth=auth, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        raise transport_error(error, network=network, sent=False) from None
    if response.status_code in (400, 401):
        raise ConnectorError(
            _("%(network)s refused the authorization: %(reason)s")
            % {"network": network, "reason": refusal_reason(response)},
            needs_reconnect=True,
            status_code=response.status_code,
            raw=redacted(response),
        )
    if response.status_code >= 300:
        raise error_for(response)
    return json_of(response, network=network)


def _in(now: dt.datetime, seconds: Any) -> str | None:
    return (
        (now + dt.timedelta(seconds=float(seconds))).isoformat() if isinstance(seconds, int | float) else None
    )


def credentials_from(
    payload: dict[str, Any], now: dt.datetime, *, network: str, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The credentials to store from a token answer: the access token, the refresh token and when each
    expires (`expires_at`, `refresh_token_expires_at`, ISO times). `previous`: the credentials a refresh
    replaces; a refresh token or its expiry the answer omits is kept from them."""
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ConnectorError(
            _("%(network)s's token answer has no access token.") % {"network": network},
            raw="token answer without token",
        )
    previous = previous or {}
    credentials: dict[str, Any] = {"access_token": access_token}
    refresh_token = payload.get("refresh_token") or previous.get("refresh_token")
    if refresh_token:
        credentials["refresh_token"] = str(refresh_token)
    if expires := _in(now, payload.get("expires_in")):
        credentials["expires_at"] = expires
    refresh_expires = _in(now, payload.get("refresh_token_expires_in"))
    if refresh_expires or previous.get("refresh_token_expires_at"):
        credentials["refresh_token_expires_at"] = refresh_expires or previous["refresh_token_expires_at"]
    return credentials


def expires_at(credentials: dict[str, Any], key: str = "expires_at") -> dt.datetime | None:
    """The stored expiry under `key` as a datetime, or None when unknown."""
    try:
        return dt.datetime.fromisoformat(str(credentials[key]))
    except (KeyError, ValueError):
        return None


class OAuth2Connector(Connector):
    """A connector whose API calls carry an OAuth 2 bearer token that it renews with the refresh token.

    A subclass names its network (`network_name`, for messages), how early to renew (`refresh_margin`) and
    provides the hooks: `_new_client`, `_request_token`, `_url`, `_headers`, `_error_for`. Renewed tokens
    are left in `updated_credentials` for the engine to store."""

    network_name: ClassVar[str]
    refresh_margin: ClassVar[dt.timedelta]
    # False where a refresh answer always carries a new refresh token (X): the old one is then dropped.
    refresh_keeps_previous: ClassVar[bool] = True

    def __init__(self, account: Any, credentials: dict[str, Any], app: OAuthApp | None = None) -> None:
        super().__init__(account, credentials, app)
        self._client: httpx.AsyncClient | None = None

    # --- hooks -------------------------------------------------------------------------------------
    def _new_client(self) -> httpx.AsyncClient:
        raise NotImplementedError

    async def _request_token(
        self, client: httpx.AsyncClient, app: OAuthApp, form: dict[str, str]
    ) -> dict[str, Any]:
        raise NotImplementedError

    def _url(self, path: str) -> str:
        raise NotImplementedError

    def _headers(self, access_token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {access_token}"}

    def _error_for(self, response: httpx.Response, *, sent: bool) -> ConnectorError:
        raise NotImplementedError

    # --- plumbing ----------------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self._new_client()
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _refresh(self) -> None:
        """Trade the refresh token for new tokens; without one (or without the app), reconnect."""
        refresh_token = self.credentials.get("refresh_token")
        if not refresh_token or self.app is None:
            raise ConnectorError(
                _("%(network)s's access token expired and cannot be renewed; reconnect the account.")
                % {"network": self.network_name},
                needs_reconnect=True,
            )
        payload = await self._request_token(
            self._http(), self.app, {"grant_type": "refresh_token", "refresh_token": str(refresh_token)}
        )
        previous = self.credentials if self.refresh_keeps_previous else None
        self.credentials = credentials_from(
            payload, dt.datetime.now(dt.UTC), network=self.network_name, previous=previous
        )
        self.updated_credentials = dict(self.credentials)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        sends: bool = False,
        expect: tuple[int, ...] = (200, 201, 204),
        **kwargs: Any,
    ) -> httpx.Response:
        """One API call with the bearer token, renewed first when it is about to expire, and renewed once
        more (then tried again) when the network answers 401. An answer outside `expect` raises the
        network's `ConnectorError`; `sends`: the call may create something."""
        expiry = expires_at(self.credentials)
        if expiry is not None and expiry - self.refresh_margin <= dt.datetime.now(dt.UTC):
            await self._refresh()
        url = self._url(path)
        extra_headers = kwargs.pop("headers", {})
        for attempt in range(2):
            headers = {**self._headers(str(self.credentials.get("access_token", ""))), **extra_headers}
            try:
                response = await self._http().request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as error:
                raise transport_error(error, network=self.network_name, sent=sends) from None
            if response.status_code == 401 and attempt == 0 and self.credentials.get("refresh_token"):
                await self._refresh()
                continue
            if response.status_code not in expect:
                raise self._error_for(response, sent=sends)
            return response
        raise AssertionError("unreachable")
