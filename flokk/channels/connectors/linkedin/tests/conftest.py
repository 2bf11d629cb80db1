from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flokk.channels.connectors.base import AccountRef, OAuthApp
from flokk.channels.connectors.linkedin import LinkedInConnector, auth
from flokk.channels.tests.http_replay import Replay

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APP = OAuthApp(
    client_id="86abcdef123456",
    client_secret="li-secret",
    redirect_uri="https://flokk.example/oauth/callback/",
    options={"linkedin_version": "202510"},
)
ACCOUNT = AccountRef(
    id="a1",
    network="linkedin",
    handle="fjallbacka-kaffe",
    service_url="",
    remote_id="urn:li:organization:2414183",
)
CREDENTIALS = {
    "access_token": "AQUvlL_DYEzvT2wz1QJiEPeLioeA",
    "refresh_token": "AQWAft_WjYZKwuWXLC5hQlghgTam",
    "expires_at": "2099-01-01T00:00:00+00:00",
}


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Replay]]:
    """`replay("publish_text")`: LinkedIn answers from the recorded fixtures (or added by hand)."""

    def use(*names: str) -> Replay:
        recorded = Replay.load(FIXTURES, *names)
        monkeypatch.setattr(auth, "TRANSPORT", recorded.transport())
        return recorded

    yield use


@pytest.fixture
def connector() -> LinkedInConnector:
    return LinkedInConnector(ACCOUNT, dict(CREDENTIALS), APP)
