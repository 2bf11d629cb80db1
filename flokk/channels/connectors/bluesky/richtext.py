"""Post text for Bluesky: the text as published, and its facets (links and hashtags) at UTF-8 byte offsets.

Bluesky marks links and hashtags with facets whose `byteStart`/`byteEnd` count bytes of the UTF-8 text,
not characters: in "Håll åäö https://x.se" the link starts at byte 13, not at character 9.
"""

from __future__ import annotations

import re
from typing import Any

import regex

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

_URL = re.compile(r"https?://[^\s<>\"]+")
# A hashtag starts the text or follows white space; one of only digits is not a tag (Bluesky's own rule).
_HASHTAG = re.compile("(?:^|(?<=\\s))[#\uff03]([^\\s#\uff03]+)")  # \uff03: the full-width sign
_SIGNS = "#\uff03"
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""
MAX_TAG_LENGTH = 64


def compose_text(text: str, *, link: str = "", hashtags: tuple[str, ...] = ()) -> str:
    """The text as published: the post's text, then its hashtags and link when the text lacks them."""
    text = text.strip()
    present = {tag.lower() for tag, _start, _end in _find_hashtags(text)}
    missing = [tag.lstrip(_SIGNS) for tag in hashtags if tag.lstrip(_SIGNS).lower() not in present]
    missing = [tag for tag in missing if tag]
    if missing:
        text = f"{text}\n\n{' '.join(f'#{tag}' for tag in missing)}".strip()
    if link and link not in text:
        text = f"{text}\n\n{link}".strip()
    return text


def grapheme_count(text: str) -> int:
    return len(regex.findall(r"\X", text))


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of character `index` of `text`."""
    return len(text[:index].encode("utf-8"))


def _strip_url(url: str) -> str:
    while url and url[-1] in _TRAILING_PUNCTUATION:
        # Keep a closing parenthesis that closes one inside the link (Wikipedia-style links).
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _find_links(text: str) -> list[tuple[str, int, int]]:
    links = []
    for match in _URL.finditer(text):
        url = _strip_url(match.group())
        if len(url) > len("https://"):
            links.append((url, match.start(), match.start() + len(url)))
    return links


def _find_hashtags(text: str) -> list[tuple[str, int, int]]:
    tags = []
    for match in _HASHTAG.finditer(text):
        tag = match.group(1)
        while tag and tag[-1] in _TRAILING_PUNCTUATION:
            tag = tag[:-1]
        if not tag or tag.isdigit() or len(tag) > MAX_TAG_LENGTH:
            continue
        tags.append((tag, match.start(), match.start(1) + len(tag)))
    return tags


def facets(text: str) -> list[dict[str, Any]]:
    """The `app.bsky.richtext.facet` list for the links and hashtags in `text`, in text order."""
    found: list[tuple[int, dict[str, Any]]] = []
    link_spans = []
    for url, start, end in _find_links(text):
        link_spans.append((start, end))
        found.append((start, _facet(text, start, end, {"$type": "app.bsky.richtext.facet#link", "uri": url})))
    for tag, start, end in _find_hashtags(text):
        if any(link_start <= start < link_end for link_start, link_end in link_spans):
            continue  # a "#fragment" inside a link is part of the link
        found.append((start, _facet(text, start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag})))
    return [facet for _start, facet in sorted(found, key=lambda item: item[0])]


def _facet(text: str, start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "$type": "app.bsky.richtext.facet",
        "index": {"byteStart": byte_offset(text, start), "byteEnd": byte_offset(text, end)},
        "features": [feature],
    }
