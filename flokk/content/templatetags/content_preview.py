"""Rendering user text in previews: escaped first, then hashtags and links marked up, line breaks kept."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TOKEN = re.compile(r"(https?://[^\s<>\"']+|#[\w\-]+|\n)", re.UNICODE)


@register.filter
def preview_text(text: str) -> SafeString:
    """The post text as a network shows it. Every piece of the user's text is escaped."""
    parts: list[str] = []
    for piece in TOKEN.split(text or ""):
        if not piece:
            continue
        if piece == "\n":
            parts.append("<br>")
        elif piece.startswith("#") and len(piece) > 1:
            parts.append(format_html('<span class="hashtag">{}</span>', piece))
        elif piece.startswith(("http://", "https://")):
            parts.append(format_html('<span class="link">{}</span>', piece))
        else:
            parts.append(conditional_escape(piece))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped or built by format_html
