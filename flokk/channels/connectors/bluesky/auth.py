"""Bluesky sessions: log in once with the app password, then resume the stored session.

Credentials of a Bluesky account, as stored in the vault:

    {"app_password": "xxxx-xxxx-xxxx-xxxx", "session": "<atproto session string>"}

The session string holds the access and refresh tokens. The atproto client refreshes the access token on
its own when it is about to expire; when the network refuses the session anyway (refresh token expired or
revoked) we log in again with the app password. Only when the app password itself is refused is the
account in need of reconnecting. A session that changed is written back to `credentials["session"]`, for
the caller to store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from atproto_client import AsyncClient
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import BadRequestError, LoginRequiredError, RequestErrorBase, UnauthorizedError
from atproto_core.exceptions import AtProtocolError

from flokk.channels.connectors.base import ConnectorError

# What the PDS answers (as the XRPC error name) when the tokens are no good, rather than the request.
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})


def xrpc_url(service_url: str) -> str:
    return service_url.rstrip("/") + "/xrpc"


def error_name(exc: BaseException) -> str:
    """The XRPC error name of a failed call (`InvalidRequest`, `ExpiredToken`, ...), or ""."""
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        content = exc.response.content
        name = getattr(content, "error", None)
        if name is None and isinstance(content, dict):
            name = content.get("error")
        return str(name or "")
    return ""


def error_message(exc: BaseException) -> str:
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        content = exc.response.content
        message = getattr(content, "message", None)
        if message is None and isinstance(content, dict):
            message = content.get("message")
        return str(message or error_name(exc) or exc.response.status_code)
    return str(exc) or type(exc).__name__


def is_session_problem(exc: BaseException) -> bool:
    """The call failed because of the session's tokens, so logging in again may fix it."""
    if isinstance(exc, LoginRequiredError | UnauthorizedError):
        return True
    return isinstance(exc, BadRequestError) and error_name(exc) in SESSION_ERRORS


class SessionKeeper:
    """One logged-in `AsyncClient` for one account, kept alive across calls of its connector."""

    def __init__(
        self,
        service_url: str,
        identifier: str,
        credentials: dict[str, Any],
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.identifier = identifier
        self.on_change = on_change
        self.credentials = dict(credentials)
        self.client = AsyncClient(base_url=xrpc_url(service_url))
        self.client.on_session_change(self._remember)
        self.session: Session | None = None
        self._resumed = False

    async def _remember(self, event: SessionEvent, session: Session) -> None:
        self.session = session
        self.credentials["session"] = session.export()
        if self.on_change is not None:
            self.on_change(dict(self.credentials))

    async def login(self, map_error: Callable[[BaseException], ConnectorError]) -> Session:
        """A fresh session from the app password; a refused password means the account needs reconnecting."""
        app_password = self.credentials.get("app_password") or ""
        if not app_password:
            raise ConnectorError(
                "No app password is stored for this Bluesky account: reconnect it.", needs_reconnect=True
            )
        try:
            await self.client.login(self.identifier, app_password, fetch_bsky_profile=False)
        except (AtProtocolError, httpx.HTTPError) as exc:
            if isinstance(exc, UnauthorizedError) or error_name(exc) in SESSION_ERRORS:
                raise ConnectorError(
                    f"Bluesky refused the app password ({error_message(exc)}). It may have been revoked or "
                    "the account deleted: reconnect the account with a new app password.",
                    needs_reconnect=True,
                    status_code=exc.response.status_code
                    if isinstance(exc, RequestErrorBase) and exc.response
                    else None,
                ) from exc
            raise map_error(exc) from exc
        self._resumed = True
        assert self.session is not None
        return self.session

    async def _ensure(self, map_error: Callable[[BaseException], ConnectorError]) -> None:
        if self._resumed:
            return
        stored = self.credentials.get("session") or ""
        if stored:
            try:
                await self.client.login(session_string=stored, fetch_bsky_profile=False)
                self._resumed = True
                return
            except (AtProtocolError, ValueError):
                pass  # unreadable: log in afresh below
        await self.login(map_error)

    async def call[T](
        self,
        operation: Callable[[AsyncClient], Awaitable[T]],
        map_error: Callable[[BaseException], ConnectorError],
    ) -> T:
        """Run `operation` with a logged-in client; when the session is refused, log in again and retry once.

        Retrying is safe: the network refused the request before doing anything with it.
        """
        await self._ensure(map_error)
        try:
            return await operation(self.client)
        except (AtProtocolError, httpx.HTTPError) as exc:
            if not is_session_problem(exc):
                raise map_error(exc) from exc
        await self.login(map_error)
        try:
            return await operation(self.client)
        except (AtProtocolError, httpx.HTTPError) as exc:
            raise map_error(exc) from exc

    async def aclose(self) -> None:
        await self.client.request.close()
