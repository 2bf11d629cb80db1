"""Calling a connector outside the publishing engine (inbox, account set-up): one timeout, every failure
turned into a ConnectorError, refreshed tokens kept and refused credentials flagged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from flokk.channels.connectors.base import Connector, ConnectorError
from flokk.channels.models import Account
from flokk.channels.services.connectors import connector_for_account
from flokk.channels.services.credentials import store_credentials
from flokk.channels.services.health import mark_needs_reconnect

logger = logging.getLogger(__name__)
CALL_TIMEOUT_SECONDS = 30.0
T = TypeVar("T")


async def guarded[T](connector: Connector, call: Callable[[Connector], Awaitable[T]]) -> T:
    """Run `call(connector)`; raise only ConnectorError (a timeout or a connector bug becomes one)."""
    try:
        async with asyncio.timeout(CALL_TIMEOUT_SECONDS):
            return await call(connector)
    except ConnectorError:
        raise
    except TimeoutError:
        raise ConnectorError("The network did not answer in time.", outcome_unknown=True) from None
    except NotImplementedError:
        raise ConnectorError("This network does not offer that.", permanent=True) from None
    except Exception as failure:  # a malformed answer must not take the worker down
        logger.exception("connector %s failed", connector.network)
        raise ConnectorError(
            f"Unexpected error from the network: {type(failure).__name__}.", raw=repr(failure)[:2000]
        ) from failure


def settle_connector(account: Account, connector: Connector, error: ConnectorError | None) -> None:
    """After a call: keep refreshed tokens, and flag the account when the network refused them."""
    if connector.updated_credentials is not None:
        store_credentials(account, connector.updated_credentials)
    if error is not None and error.needs_reconnect:
        mark_needs_reconnect(account, reason=error.message)


def call_network[T](account: Account, call: Callable[[Connector], Awaitable[T]]) -> T:
    """One call from synchronous code (a web request, a worker loop): the result, or ConnectorError."""
    connector = connector_for_account(account)

    async def run() -> Any:
        try:
            return await guarded(connector, call)
        finally:
            await connector.aclose()

    try:
        result = asyncio.run(run())
    except ConnectorError as error:
        settle_connector(account, connector, error)
        raise
    settle_connector(account, connector, None)
    return result  # type: ignore[no-any-return]
