"""Ids derived from what the network calls things, so ingest finds rows without asking the database.

The same comment polled twice, or polled and pushed by webhook, gets the same message id, and the primary
key drops the repeat. A reply's parent and a thread's conversation are found by computing their ids.
"""

from __future__ import annotations

import hashlib
import uuid

_NAMESPACE = uuid.UUID("8f7f3c1e-5b7a-4c55-9a6f-6c1b2f0e9d41")
_PREFIX = _NAMESPACE.bytes
_KEEP = ~((0xF000 << 64) | (0xC000 << 48))  # the version and variant bits
_VERSION_5 = (5 << 76) | (0x8000 << 48)


def _uuid5(name: str) -> uuid.UUID:
    """`uuid.uuid5(_NAMESPACE, name)`, a third faster (ingest derives ~3 ids a message)."""
    digest = hashlib.sha1(_PREFIX + name.encode(), usedforsecurity=False).digest()
    return uuid.UUID(int=(int.from_bytes(digest[:16]) & _KEEP) | _VERSION_5)


def message_id(account_id: uuid.UUID, remote_id: str) -> uuid.UUID:
    return _uuid5(f"m:{account_id.hex}:{remote_id}")


def conversation_id(account_id: uuid.UUID, thread_key: str) -> uuid.UUID:
    return _uuid5(f"c:{account_id.hex}:{thread_key}")


def contact_id(organization_id: uuid.UUID, network: str, remote_id: str) -> uuid.UUID:
    return _uuid5(f"p:{organization_id.hex}:{network}:{remote_id}")
