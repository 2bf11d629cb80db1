"""A fake Mastodon instance on loopback (built from the published spec), accounts on it, and connectors."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from PIL import Image

from flokk.channels.connectors.base import AccountRef, OAuthApp
from flokk.channels.connectors.mastodon import MastodonConnector
from flokk.channels.networks import Network
from tests.fakes.mastodon import FakeAccount, FakeMastodon, running


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    """A fresh instance per test; the test fails if the connector sent or the fake answered off-spec."""
    yield from running(hang_seconds=3.0)


@pytest.fixture
def alice(mastodon: FakeMastodon) -> FakeAccount:
    return mastodon.create_account("alice", "Alice Andersson")


@pytest.fixture
def connector_for(mastodon: FakeMastodon) -> Callable[..., MastodonConnector]:
    def make(account: FakeAccount, *, token: str | None = None, timeout: float = 1.0) -> MastodonConnector:
        ref = AccountRef(
            id="1",
            network=Network.MASTODON,
            handle=f"{account.username}@{mastodon.host}",
            service_url=mastodon.url,
            remote_id=account.id,
        )
        connector = MastodonConnector(ref, {"access_token": token if token is not None else account.token})
        connector.request_timeout = timeout  # type: ignore[misc]
        return connector

    return make


def oauth_app(mastodon: FakeMastodon, client_id: str, client_secret: str) -> OAuthApp:
    return OAuthApp(
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri="https://flokk.example/oauth/callback/",
        base_url=mastodon.url,
    )


def png(width: int, height: int, colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()
