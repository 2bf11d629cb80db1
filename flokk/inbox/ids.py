"""Ids derived from what the network calls things, so ingest finds rows without asking the database.

The same comment polled twice, or polled and pushed by webhook, gets the same message id, and the primary
key drops the repeat. A reply's parent and a thread's conversation are found by computing their ids.
"""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("8f7f3c1e-5b7a-4c55-9a6f-6c1b2f0e9d41")


def message_id(account_id: uuid.UUID, remote_id: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"m:{account_id.hex}:{remote_id}")


def conversation_id(account_id: uuid.UUID, thread_key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"c:{account_id.hex}:{thread_key}")


def contact_id(organization_id: uuid.UUID, network: str, remote_id: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"p:{organization_id.hex}:{network}:{remote_id}")
