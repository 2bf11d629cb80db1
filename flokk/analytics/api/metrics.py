"""API: analytics metrics."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
