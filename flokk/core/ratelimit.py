"""How often one client may do a thing: fixed windows counted in the cache (Redis when `REDIS_URL` is set,
else each process's own memory, which is then per process: a bound, not an exact count).

Only a hash of who is asking is kept, for the length of the window: no address is stored.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    """Who is asking: the client's address as the server sees it (set the proxy to pass the real one)."""
    return str(request.META.get("REMOTE_ADDR") or "")


def now() -> float:
    return time.time()


def allow(scope: str, who: str, limit: int, window_seconds: int) -> bool:
    """Whether one more hit of `who` in `scope` stays within `limit` in the current window (counts it)."""
    bucket = int(now() // window_seconds)
    digest = hashlib.blake2b(f"{scope}\0{who}".encode(), digest_size=12).hexdigest()
    key = f"flokk:rate:{digest}:{bucket}"
    if cache.add(key, 1, timeout=window_seconds + 1):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds + 1)
        return True
