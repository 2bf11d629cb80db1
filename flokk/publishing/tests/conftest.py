"""A scripted connector and builders for the publishing tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest
from django.utils import timezone

from flokk.channels import connectors
from flokk.channels.connectors.base import Capabilities, Connector, ConnectorError, Publication, Published
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.content.services.posts import PostInput, create_post
from flokk.content.tests.helpers import network_account


class ScriptedNetwork:
    """What the fake network holds and how it will answer the next calls (an error, or None: succeed)."""

    def __init__(self) -> None:
        self.posts: dict[str, Published] = {}
        self.publish_calls: list[str] = []
        self.script: list[ConnectorError | None] = []
        # When set, a publish call lands on the network and then raises this (the answer was lost).
        self.lose_answer: ConnectorError | None = None

    def published_count(self, key: str) -> int:
        return sum(1 for k in self.publish_calls if k == key) if key in self.posts else 0


class ScriptedConnector(Connector):
    network: ClassVar[str] = Network.MASTODON
    capabilities: ClassVar[Capabilities] = Capabilities(publish_text=True)
    world: ClassVar[ScriptedNetwork]

    async def publish(self, publication: Publication) -> Published:
        self.world.publish_calls.append(publication.idempotency_key)
        if self.world.script:
            error = self.world.script.pop(0)
            if error is not None:
                raise error
        published = Published(remote_id=f"id-{len(self.world.posts)}", remote_url="https://example.social/1")
        self.world.posts.setdefault(publication.idempotency_key, published)
        if self.world.lose_answer is not None:
            raise self.world.lose_answer
        return published

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        return self.world.posts.get(publication.idempotency_key)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedNetwork]:
    world = ScriptedNetwork()
    monkeypatch.setattr(ScriptedConnector, "world", world, raising=False)
    monkeypatch.setitem(connectors.REGISTRY, Network.MASTODON, ScriptedConnector)
    yield world


@pytest.fixture
def account(demo) -> Account:
    return network_account(demo, Network.MASTODON)


@pytest.fixture
def due_post(demo, member, account) -> Callable[..., Post]:
    """A scheduled post whose time has just come (as if approved earlier)."""

    def build(text: str = "Hej från Flokk", accounts: list[Account] | None = None) -> Post:
        author = member("copywriter")
        post = create_post(
            demo, PostInput(account_ids=[a.pk for a in accounts or [account]], text=text), actor=author
        )
        Post.objects.filter(pk=post.pk).update(
            status=PostStatus.SCHEDULED, scheduled_at=timezone.now() - dt.timedelta(seconds=1)
        )
        post.refresh_from_db()
        return post

    return build
