"""A scripted inbox network and item builders for the inbox tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest
from django.utils import timezone

from flokk.channels import connectors
from flokk.channels.connectors.base import (
    Capabilities,
    Connector,
    ConnectorError,
    InboundAuthor,
    InboundItem,
    InboxPage,
    Published,
    ReplyTarget,
)
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.tests.helpers import network_account


class ScriptedInbox:
    """What the fake network will return to the next polls, and what the team did to it."""

    def __init__(self) -> None:
        self.pages: list[InboxPage | ConnectorError] = []
        self.cursors_asked: list[str] = []
        self.replies: list[tuple[ReplyTarget, str, str]] = []
        self.reply_errors: list[ConnectorError] = []
        self.moderated: list[tuple[str, str]] = []


class ScriptedInboxConnector(Connector):
    network: ClassVar[str] = Network.MASTODON
    capabilities: ClassVar[Capabilities] = Capabilities(
        read_comments=True, read_mentions=True, read_direct_messages=True, reply=True, like=True,
        hide_comments=True, delete_comments=True,
    )  # fmt: skip
    world: ClassVar[ScriptedInbox]

    async def fetch_inbox(self, cursor: str) -> InboxPage:
        self.world.cursors_asked.append(cursor)
        if not self.world.pages:
            return InboxPage(items=(), cursor=cursor)
        page = self.world.pages.pop(0)
        if isinstance(page, ConnectorError):
            raise page
        return page

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        if self.world.reply_errors:
            raise self.world.reply_errors.pop(0)
        self.world.replies.append((target, text, idempotency_key))
        return Published(remote_id=f"answer-{idempotency_key}", remote_url="https://example.social/@brand/9")

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        self.world.moderated.append(("like", remote_id))

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        self.world.moderated.append(("hide", remote_id))

    async def delete_comment(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        self.world.moderated.append(("delete", remote_id))


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedInbox]:
    world = ScriptedInbox()
    monkeypatch.setattr(ScriptedInboxConnector, "world", world, raising=False)
    monkeypatch.setitem(connectors.REGISTRY, Network.MASTODON, ScriptedInboxConnector)
    yield world


@pytest.fixture
def account(demo) -> Account:
    account = network_account(demo, Network.MASTODON, handle="brand@example.social")
    account.remote_id = "brand-id"
    account.save(update_fields=["remote_id"])
    return account


_numbers = itertools.count(1)


@pytest.fixture
def item() -> Callable[..., InboundItem]:
    """`item("text", kind=..., author=..., parent=other_item)`: an inbound item with fresh ids."""

    def build(
        text: str = "Hej! När öppnar ni på lördag?",
        *,
        kind: str = "mention",
        author: str = "anna",
        parent: InboundItem | None = None,
        thread_id: str = "",
        remote_id: str = "",
        minutes_ago: float = 5,
        url: str = "https://example.social/@anna/1",
    ) -> InboundItem:
        remote_id = remote_id or f"status-{next(_numbers)}"
        return InboundItem(
            remote_id=remote_id,
            kind=kind,
            text=text,
            author=InboundAuthor(
                remote_id=f"{author}-id", handle=f"{author}@example.social", display_name=author.title()
            ),
            created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
            thread_id=thread_id or (parent.thread_id if parent else remote_id),
            parent_id=parent.remote_id if parent else "",
            url=url,
            reply_ref={"cid": "c-" + remote_id},
        )

    return build
