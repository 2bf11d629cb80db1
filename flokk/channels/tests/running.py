"""Running a connector's coroutine in a test, as the engine does: in its own event loop, then closed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Protocol


class Closable(Protocol):
    async def aclose(self) -> None: ...


def run(connector: Closable, coroutine: Coroutine[Any, Any, Any]) -> Any:
    """The coroutine's result (or its exception), with the connector closed afterwards either way."""

    async def go() -> Any:
        try:
            return await coroutine
        finally:
            await connector.aclose()

    return asyncio.run(go())
