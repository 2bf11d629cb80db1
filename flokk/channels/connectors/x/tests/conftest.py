from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flokk.channels.connectors.base import AccountRef, OAuthApp
from flokk.channels.connectors.x import XConnector, auth
from flokk.channels.tests.http_replay import Replay

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APP = OAuthApp(
    client_id="x-client-id", client_secret="x-secret", redirect_uri="https://flokk.example/oauth/callback/"
)
ACCOUNT = AccountRef(id="a1", network="x", handle="fjallbackakaffe", service_url="", remote_id="2244994945")
CREDENTIALS = {
    "access_token": "x-access-token",
    "refresh_token": "x-refresh-token",
    "expires_at": "2099-01-01T00:00:00+00:00",
}


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Replay]]:
    """`replay("publish_text")`: X answers from the recorded fixtures (or added by hand)."""

    def use(*names: str) -> Replay:
        recorded = Replay.load(FIXTURES, *names)
        monkeypatch.setattr(auth, "TRANSPORT", recorded.transport())
        return recorded

    yield use


@pytest.fixture
def connector() -> XConnector:
    return XConnector(ACCOUNT, dict(CREDENTIALS), APP)
