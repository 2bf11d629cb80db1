"""Connecting a Mastodon account: the app Flokk registers on each instance, and OAuth with PKCE.

Mastodon has no central developer portal: every instance is its own OAuth server, so Flokk registers an
app on the instance the organization names (`register_app`, once per organization and instance; the pair
is kept as a `NetworkApp` with `instance_url`) and sends the person to that instance to grant access.

Mastodon.py registers the app, but its `log_in` cannot send a PKCE `code_verifier`, so the authorization
URL and the token exchange follow the spec (`GET /oauth/authorize`, `POST /oauth/token`) directly. Mastodon
tokens do not expire; they last until the person (or an admin) revokes them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from mastodon import Mastodon
from mastodon.errors import MastodonError

from flokk.channels.connectors.base import ConnectorError, OAuthApp

CLIENT_NAME = "Flokk"
# What the connector needs: who the account is, its statuses (reconciliation, direct conversations),
# notifications (the inbox), to post statuses with media, and to like what the public says. Granular scopes
# exist since Mastodon 3.0.
SCOPES = (
    "read:accounts",
    "read:statuses",
    "read:notifications",
    "write:statuses",
    "write:media",
    "write:favourites",
)
TIMEOUT_SECONDS = 20.0


def instance_url(url: str) -> str:
    """The instance's base URL as Flokk stores it: https unless told otherwise, no trailing slash."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = f"https://{url}"
    return url


def instance_host(url: str) -> str:
    return urlsplit(instance_url(url)).netloc


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def register_app(
    instance: str, redirect_uri: str, *, website: str | None = None, timeout: float = TIMEOUT_SECONDS
) -> tuple[str, str]:
    """Register Flokk as an app on the instance; returns `(client_id, client_secret)` to keep sealed.

    Synchronous (Mastodon.py is); call it from a view or task, not from the event loop.
    """
    try:
        client_id, client_secret = Mastodon.create_app(
            CLIENT_NAME,
            scopes=list(SCOPES),
            redirect_uris=redirect_uri,
            website=website,
            api_base_url=instance_url(instance),
            request_timeout=timeout,
        )
        return str(client_id), str(client_secret)
    # Mastodon.py returns a refusal (422 with `error`) as a dict without the keys: a KeyError.
    except (MastodonError, KeyError, TypeError, ValueError) as error:
        raise ConnectorError(
            f"Could not register Flokk on {instance_host(instance)}: is it a Mastodon instance? ({error})",
            raw=str(error),
        ) from error


def authorization_url(app: OAuthApp, *, state: str, code_challenge: str) -> str:
    """The instance's page where the person grants access (PKCE S256, as Mastodon 4.3+ supports).

    `force_login` lets one person connect several accounts of the same instance one after another.
    """
    query = {
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "force_login": "true",
    }
    return f"{instance_url(app.base_url)}/oauth/authorize?{urlencode(query)}"


async def exchange_code(app: OAuthApp, *, code: str, code_verifier: str) -> dict[str, Any]:
    """Trade the callback's code for an access token; the token response (`access_token`, `scope`)."""
    body = {
        "grant_type": "authorization_code",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": app.redirect_uri,
        "code": code,
        "code_verifier": code_verifier,
        "scope": " ".join(SCOPES),
    }
    secrets = [app.client_secret, code, code_verifier]
    host = instance_host(app.base_url)
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(f"{instance_url(app.base_url)}/oauth/token", json=body)
    except httpx.HTTPError as error:
        raise ConnectorError(f"Could not reach {host} ({type(error).__name__}); try again.") from error
    raw = redact(response.text[:2000], secrets)
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code >= 500 or not isinstance(data, dict):
        raise ConnectorError(
            f"{host} could not complete the sign-in ({response.status_code}); try again.",
            status_code=response.status_code,
            raw=raw,
        )
    if response.status_code != 200 or not data.get("access_token"):
        reason = data.get("error_description") or data.get("error") or "no access token"
        raise ConnectorError(
            f"{host} refused the sign-in: {reason}", permanent=True, status_code=response.status_code, raw=raw
        )
    return data
