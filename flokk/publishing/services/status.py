"""What the pages show about a post's publishing: its deliveries, and whether "publish now" applies."""

from __future__ import annotations

from typing import Any

from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.publishing.models import Delivery
from flokk.publishing.services.pause import active_pause
from flokk.teams.permissions import Access

PUBLISHABLE_NOW = frozenset({PostStatus.APPROVED, PostStatus.SCHEDULED})


def delivery_context(post: Post, access: Access) -> dict[str, Any]:
    """Template context for `publishing/partials/deliveries.html`."""
    deliveries = list(
        Delivery.objects.filter(post=post).select_related("account").prefetch_related("attempts")
    )
    return {
        "deliveries": deliveries,
        "publishing_pause": active_pause(post.organization),
        "can_publish_now": post.status in PUBLISHABLE_NOW
        and access.has("planning.work")
        and not any(d.status == "published" for d in deliveries),
    }
