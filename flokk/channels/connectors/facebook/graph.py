"""A small client for Meta's Graph API, shared by the Facebook and Instagram connectors.

Every call carries the access token in the `Authorization: Bearer` header, never in a URL, so no token
lands in request logs (httpx logs each URL); `paging.next` links lose the token Meta puts in them. Calls
add `appsecret_proof` when the app's secret is known (apps set to "Require App Secret" refuse calls
without it). Code exchanges are POSTed, so the app secret stays out of URLs too.

Graph errors come back as JSON `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`;
`error_for` turns them into `ConnectorError`s that say who can fix the problem: nobody, a retry, a later
retry, or a reconnect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import ConnectorError, OAuthApp, Publication

DEFAULT_API_VERSION = "v21.0"
GRAPH_HOST = "graph.facebook.com"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
# Tests put an `httpx.MockTransport` here; None is the real network.
TRANSPORT: httpx.AsyncBaseTransport | None = None
DEFAULT_RETRY_AFTER = 60.0

TOKEN_EXPIRED = 190
# 9: Instagram's "maximum number of posts" (subcode 2207042), its 24-hour publishing quota.
RATE_LIMIT_CODES = frozenset({4, 9, 17, 32, 613})
TRANSIENT_CODES = frozenset({1, 2})
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-page-usage", "x-ad-account-usage")

# Secrets as they appear in URLs, form bodies and JSON answers.
_SECRET_PARAM = re.compile(
    r"(?<![\w])(access_token|input_token|fb_exchange_token|client_secret|appsecret_proof|code_verifier)"
    r"(=|%3D)[^&\s\"'<>]+"
)
_SECRET_JSON = re.compile(r"(\"(?:access_token|client_secret|appsecret_proof)\"\s*:\s*\")[^\"]*\"")
_BEARER = re.compile(r"(Bearer\s+)[^\s\"',]+")
_HASHTAG = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")


def api_version() -> str:
    return str(getattr(settings, "FLOKK_GRAPH_API_VERSION", DEFAULT_API_VERSION))


def graph_base(app: OAuthApp | None) -> str:
    """The Graph API root: the app's `base_url` (a loopback fake in tests), else graph.facebook.com."""
    if app is not None and app.base_url:
        return app.base_url.rstrip("/")
    return f"https://{GRAPH_HOST}/{api_version()}"


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


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """`text` without access tokens, app secrets or verifiers, wherever they appear."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    text = _SECRET_PARAM.sub(lambda match: f"{match.group(1)}{match.group(2)}[redacted]", text)
    text = _BEARER.sub(lambda match: f"{match.group(1)}[redacted]", text)
    return _SECRET_JSON.sub(lambda match: f'{match.group(1)}[redacted]"', text)


def compose_message(publication: Publication, *, link_in_text: bool) -> str:
    """The post's text, then the hashtags it lacks, then the link when it does not travel separately."""
    text = publication.text.strip()
    present = {tag.casefold() for tag in _HASHTAG.findall(text)}
    missing = [tag.strip().lstrip("#") for tag in publication.hashtags]
    missing = [tag for tag in missing if tag and tag.casefold() not in present]
    if missing:
        text = f"{text}\n\n{' '.join('#' + tag for tag in missing)}".strip()
    if link_in_text and publication.link and publication.link not in text:
        text = f"{text}\n\n{publication.link}".strip()
    return text


def comparable(text: str) -> str:
    """Text as compared with what the network shows back: whitespace may differ."""
    return " ".join((text or "").split())


def retry_after(response: httpx.Response) -> float:
    """Seconds until the app or Page may call again: the usage headers' `estimated_time_to_regain_access`
    (minutes), else a minute."""
    minutes = 0.0
    for header in USAGE_HEADERS:
        value = response.headers.get(header)
        if not value:
            continue
        try:
            minutes = max(minutes, _regain_minutes(json.loads(value)))
        except (json.JSONDecodeError, TypeError, ValueError):
            continue
    return minutes * 60.0 if minutes > 0 else DEFAULT_RETRY_AFTER


def _regain_minutes(usage: Any) -> float:
    if isinstance(usage, dict):
        found = (
            [float(usage["estimated_time_to_regain_access"])]
            if "estimated_time_to_regain_access" in usage
            else []
        )
        return max([*found, *(_regain_minutes(value) for value in usage.values())], default=0.0)
    if isinstance(usage, list):
        return max((_regain_minutes(value) for value in usage), default=0.0)
    return 0.0


def _payload(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _reconnect_reason(subcode: int | None) -> str:
    if subcode == 460:
        return _("the password of the Facebook account that connected it was changed")
    if subcode == 463:
        return _("the access granted to Flokk has expired")
    if subcode == 467:
        return _("the access was ended, for instance by logging out of Facebook")
    if subcode == 458:
        return _("Flokk's app was removed from the Facebook account")
    return _("the access token is no longer valid")


def error_for(
    response: httpx.Response, *, network: str, sent: bool = False, secrets: tuple[str, ...] = ()
) -> ConnectorError:
    """The `ConnectorError` for a Graph answer that is an error (or that cannot be read).

    `sent`: the request may have created something (a post), so a failure without a clear refusal leaves
    the outcome unknown and the engine reconciles before trying again.
    """
    status = response.status_code
    raw = redact(f"HTTP {status} {response.text[:3500]}", secrets)
    payload = _payload(response)
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        if status == 429:
            return ConnectorError(
                _("%(network)s asks to slow down.") % {"network": network},
                retry_after=retry_after(response),
                status_code=status,
                raw=raw,
            )
        if status >= 500 or not isinstance(payload, dict):
            return ConnectorError(
                _("%(network)s sent an answer Flokk cannot read (HTTP %(status)s); it will be tried again.")
                % {"network": network, "status": status},
                status_code=status,
                raw=raw,
                outcome_unknown=sent,
            )
        return ConnectorError(
            _("%(network)s refused the request (HTTP %(status)s).") % {"network": network, "status": status},
            permanent=True,
            status_code=status,
            raw=raw,
        )

    code = _as_int(error.get("code"))
    subcode = _as_int(error.get("error_subcode"))
    reason = redact(str(error.get("error_user_msg") or error.get("message") or "").strip(), secrets)
    if code == TOKEN_EXPIRED or code == 102:
        return ConnectorError(
            _("%(network)s no longer accepts Flokk's access because %(reason)s; reconnect the account.")
            % {"network": network, "reason": _reconnect_reason(subcode)},
            needs_reconnect=True,
            status_code=status,
            raw=raw,
        )
    if code in RATE_LIMIT_CODES or (code is not None and 80001 <= code <= 80014) or status == 429:
        return ConnectorError(
            _("%(network)s asks to slow down (rate limit): %(reason)s")
            % {"network": network, "reason": reason},
            retry_after=retry_after(response),
            status_code=status,
            raw=raw,
        )
    if code in TRANSIENT_CODES or status >= 500 or error.get("is_transient") is True:
        return ConnectorError(
            _("%(network)s had a temporary problem (%(reason)s); it will be tried again.")
            % {"network": network, "reason": reason or status},
            status_code=status,
            raw=raw,
            outcome_unknown=sent,
        )
    if code == 10 or (code is not None and 200 <= code <= 299):
        message = _(
            "%(network)s refused for lack of permission (%(reason)s); reconnect the account and grant "
            "every permission Flokk asks for."
        )
    elif code == 368:
        message = _("%(network)s blocked the action as against its policies: %(reason)s")
    else:
        message = _("%(network)s refused: %(reason)s")
    return ConnectorError(
        message % {"network": network, "reason": reason or status},
        permanent=True,
        status_code=status,
        raw=raw,
    )


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def graph_error_code(error: ConnectorError) -> int | None:
    """The Graph error `code` in the answer a `ConnectorError` from `error_for` keeps in `raw`."""
    _, brace, rest = error.raw.partition("{")
    try:
        payload = json.loads(brace + rest) if brace else None
    except json.JSONDecodeError:
        return None
    found = payload.get("error") if isinstance(payload, dict) else None
    return _as_int(found.get("code")) if isinstance(found, dict) else None


def transport_error(error: httpx.HTTPError, *, network: str, sent: bool) -> ConnectorError:
    reached = sent and not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
    return ConnectorError(
        _("%(network)s could not be reached (%(kind)s); it will be tried again.")
        % {"network": network, "kind": type(error).__name__},
        outcome_unknown=reached,
        raw=redact(str(error)),
    )


class GraphClient:
    """Graph API calls for one connector (or one OAuth exchange), over one `httpx.AsyncClient`."""

    def __init__(
        self, app: OAuthApp | None, *, network: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.app = app
        self.network = network
        self.base = graph_base(app)
        self._transport = transport or TRANSPORT
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=TIMEOUT, transport=self._transport, follow_redirects=False
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _proof(self, token: str) -> dict[str, str]:
        if self.app is None or not self.app.client_secret:
            return {}
        proof = hmac.new(self.app.client_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        return {"appsecret_proof": proof}

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str = "",
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        sends: bool = False,
    ) -> dict[str, Any]:
        """One call; the answer's JSON object, or `ConnectorError`.

        `path` is relative to the Graph root, or a full URL (a `paging.next` link). `token` goes in the
        Authorization header; `appsecret_proof` in the query for GET and DELETE, else in the form body.
        `sends`: this call may create something.
        """
        if path.startswith(("https://", "http://")):
            url = httpx.URL(path)
            if url.host not in (httpx.URL(self.base).host, GRAPH_HOST):
                # The token goes wherever the link points: only ever to the Graph API.
                raise ConnectorError(
                    _("%(network)s sent a link Flokk will not follow.") % {"network": self.network},
                    raw=redact(path),
                )
            url = url.copy_with(params=url.params.remove("access_token").remove("appsecret_proof"))
        else:
            url = httpx.URL(f"{self.base}/{path.lstrip('/')}")
        query = {key: str(value) for key, value in (params or {}).items()}
        form = {key: str(value) for key, value in (data or {}).items()}
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
            (query if method in ("GET", "DELETE") else form).update(self._proof(token))
        secrets = (token, self.app.client_secret if self.app else "")
        try:
            response = await self._http().request(
                method, url, params=query or None, data=form or None, files=files, headers=headers
            )
        except httpx.HTTPError as error:
            raised = transport_error(error, network=self.network, sent=sends)
            raised.raw = redact(raised.raw, secrets)
            raise raised from None
        payload = _payload(response)
        if response.status_code >= 300 or not isinstance(payload, dict) or "error" in payload:
            raise error_for(response, network=self.network, sent=sends, secrets=secrets)
        return payload
