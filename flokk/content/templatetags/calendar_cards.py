"""The calendar's post cards, rendered in Python: a month can hold hundreds of them, and a template loop
costs several times as much per card (each variable is resolved and escaped through the template engine).
Every value that could hold markup is escaped here with the standard library's `html.escape` (which
Django's `escape` wraps); the summary is text from the public."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from flokk.content.services.calendar import CalendarPost

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_cards(context: dict[str, Any], posts: list[CalendarPost]) -> SafeString:
    """`<li>` cards of the posts, linked to their pages, draggable when `movable`, with `data-post-id`."""
    if not posts:
        return mark_safe("")
    posts_url = escape(context["posts_url"])
    empty = escape(_("(empty post)"))
    cards = []
    for post in posts:
        post_id = str(post.id)  # a UUID, the time and the ISO date below are safe by construction
        time = post.time
        drag = ' draggable="true"' if post.movable else ""
        cards.append(
            f'<li class="status-{escape(post.status)}" data-post-id="{post_id}" data-time="{time}"{drag}>'
            f'<a href="{posts_url}{post_id}/"><time datetime="{post.utc_iso}">{time}</time> '
            f"{escape(post.summary) if post.summary else empty}</a></li>"
        )
    return mark_safe("".join(cards))  # noqa: S308  (what could hold markup is escaped above)
