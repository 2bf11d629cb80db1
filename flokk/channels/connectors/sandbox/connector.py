"""The sandbox network: publishing succeeds at once and goes nowhere, so the demo shows the whole flow.

Its inbox is what the demo seeds (`flokk demo`); answers, likes, hiding and deleting succeed and go nowhere.
Its metrics are made up (`metrics.py`) and labelled demo.

What it "published" is kept in memory per process, keyed by idempotency key, so reconciliation behaves as on a
real network (an attempt whose outcome was lost is found again, never published twice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import ClassVar

from flokk.channels.connectors.base import (
    Capabilities,
    Connector,
    Identity,
    InboxPage,
    MetricsPage,
    Publication,
    Published,
    ReplyTarget,
)
from flokk.channels.connectors.sandbox.metrics import demo_metrics
from flokk.channels.networks import Network

_PUBLISHED: dict[str, Published] = {}


class SandboxConnector(Connector):
    network: ClassVar[str] = Network.SANDBOX
    capabilities: ClassVar[Capabilities] = Capabilities(
        publish_text=True,
        publish_images=True,
        publish_video=True,
        publish_link=True,
        delete=True,
        read_comments=True,
        read_mentions=True,
        read_direct_messages=True,
        reply=True,
        like=True,
        hide_comments=True,
        delete_comments=True,
        metrics=True,
    )

    async def verify(self) -> Identity:
        return Identity(remote_id=f"sandbox:{self.account.handle}", handle=self.account.handle)

    async def publish(self, publication: Publication) -> Published:
        existing = _PUBLISHED.get(publication.idempotency_key)
        if existing is not None:
            return existing
        digest = hashlib.sha256(publication.idempotency_key.encode()).hexdigest()[:16]
        published = Published(
            remote_id=f"sandbox:{self.account.handle}/{digest}",
            published_at=dt.datetime.now(dt.UTC),
        )
        _PUBLISHED[publication.idempotency_key] = published
        return published

    async def find_published(self, publication: Publication, since: dt.datetime) -> Published | None:
        return _PUBLISHED.get(publication.idempotency_key)

    async def delete(self, remote_id: str) -> None:
        for key, published in list(_PUBLISHED.items()):
            if published.remote_id == remote_id:
                del _PUBLISHED[key]

    async def fetch_inbox(self, cursor: str) -> InboxPage:
        return InboxPage(items=(), cursor=cursor)

    async def reply(self, target: ReplyTarget, text: str, idempotency_key: str) -> Published:
        return await self.publish(Publication(idempotency_key=idempotency_key, text=text))

    async def like(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        return None

    async def hide(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        return None

    async def delete_comment(self, remote_id: str, reply_ref: dict[str, str]) -> None:
        return None

    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        published = {p.remote_id: p.published_at for p in _PUBLISHED.values() if p.published_at is not None}
        return demo_metrics(self.account.handle, remote_ids, now=clock(), published=published)


def clock() -> dt.datetime:
    """The sandbox's time (tests move it)."""
    return dt.datetime.now(dt.UTC)
