"""Accounts on the local Bluesky network, and connectors for them."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PIL import Image

from flokk.channels.connectors.base import AccountRef
from flokk.channels.connectors.bluesky import BlueskyConnector
from flokk.channels.connectors.bluesky.devnet import Devnet
from flokk.channels.networks import Network

PASSWORD = "account-password-1"


@dataclass
class NetworkAccount:
    did: str
    handle: str
    password: str
    app_password: str
    service_url: str

    def ref(self) -> AccountRef:
        return AccountRef(
            id="1",
            network=Network.BLUESKY,
            handle=self.handle,
            service_url=self.service_url,
            remote_id=self.did,
        )


@pytest.fixture
def bluesky_account(bluesky_network: Devnet) -> NetworkAccount:
    """A fresh account on the local network (its own repository, so tests never see each other's posts)."""
    did, handle = bluesky_network.create_account(f"t{uuid.uuid4().hex[:12]}.test", PASSWORD)
    app_password = bluesky_network.create_app_password(handle, PASSWORD)
    return NetworkAccount(did, handle, PASSWORD, app_password, bluesky_network.service_url)


@pytest.fixture
def connector_for() -> Callable[..., BlueskyConnector]:
    def make(account: NetworkAccount, **credentials: str) -> BlueskyConnector:
        return BlueskyConnector(account.ref(), credentials or {"app_password": account.app_password})

    return make


def png(width: int, height: int, colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()
