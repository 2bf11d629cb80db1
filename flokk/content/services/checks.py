"""Checks of one network variant: hard rules of the network (errors) and quality advice (warnings).

Pure functions over plain data, so the editor (live, on every keystroke), the API and the coming approval
step all ask the same questions and get the same answers. Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import regex
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from flokk.channels.networks import RULES, NetworkRules

URL_PATTERN = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
NEAR_LIMIT = 0.9


@dataclass(frozen=True)
class Check:
    """One finding: `error` blocks approval and publishing, `warning` is advice with its reason."""

    code: str
    level: Literal["error", "warning"]
    message: str


@dataclass(frozen=True)
class MediaInfo:
    """What the checks need to know about one attached asset."""

    name: str
    kind: str  # "image" or "video"
    mime_type: str
    size_bytes: int
    alt_text: str = ""
    rights_expired: bool = False


@dataclass(frozen=True)
class VariantDraft:
    """A variant as typed, saved or not."""

    network: str
    text: str
    link: str = ""
    first_comment: str = ""
    hashtags: tuple[str, ...] = ()
    media: tuple[MediaInfo, ...] = field(default_factory=tuple)


def grapheme_count(text: str) -> int:
    """Characters as a reader sees them: a flag, an emoji family (ZWJ) or e + combining accent count once."""
    return len(regex.findall(r"\X", text))


def normalize_text(text: str) -> str:
    """For spotting repeats: case, Unicode form and spacing do not make a post new."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def clean_hashtags(values: list[str] | tuple[str, ...] | str) -> tuple[str, ...]:
    """`"#a b, #c"` or `["a", "#b"]` → `("a", "b", "c")`, without duplicates, in order."""
    items = values.replace(",", " ").split() if isinstance(values, str) else list(values)
    seen: list[str] = []
    for item in items:
        tag = item.strip().lstrip("#").strip()
        if tag and tag not in seen:
            seen.append(tag)
    return tuple(seen)


def composed_text(draft: VariantDraft) -> str:
    """The text as it will be published: the text, then the hashtags, then the link unless already in it."""
    parts = [draft.text.rstrip()]
    if draft.hashtags:
        parts.append(" ".join(f"#{tag}" for tag in draft.hashtags))
    if draft.link and draft.link not in draft.text:
        parts.append(draft.link)
    return "\n\n".join(part for part in parts if part)


def counted_length(draft: VariantDraft, rules: NetworkRules) -> int:
    """What the network counts: graphemes; each link at the network's fixed link length if it has one."""
    text = composed_text(draft)
    if rules.link_length is None:
        return grapheme_count(text)
    links = URL_PATTERN.findall(text)
    return grapheme_count(URL_PATTERN.sub("", text)) + rules.link_length * len(links)


def _is_link_only(draft: VariantDraft) -> bool:
    links = URL_PATTERN.findall(draft.text)
    rest = URL_PATTERN.sub("", draft.text).strip()
    return bool(links or draft.link) and not rest


def check_variant(
    draft: VariantDraft, *, require_alt_text: bool, recent_texts: frozenset[str] = frozenset()
) -> list[Check]:
    """Every error and warning for one variant; an empty list means nothing to say.

    `recent_texts` holds the normalized texts the organization's other posts used in the last 30 days.
    """
    rules = RULES[draft.network]
    found: list[Check] = []

    length, limit = counted_length(draft, rules), rules.max_text_graphemes
    if length > limit:
        found.append(
            Check(
                "too_long",
                "error",
                _("%(length)s of %(limit)s characters: %(over)s too many for this network.")
                % {"length": length, "limit": limit, "over": length - limit},
            )
        )
    elif length >= NEAR_LIMIT * limit:
        found.append(
            Check(
                "near_limit",
                "warning",
                _("%(length)s of %(limit)s characters: close to the limit; short posts are read more often.")
                % {"length": length, "limit": limit},
            )
        )
    if not draft.text.strip() and not draft.media:
        found.append(Check("empty", "error", _("The post has neither text nor media.")))

    # Media
    if len(draft.media) > rules.max_media:
        found.append(
            Check(
                "too_many_media",
                "error",
                ngettext(
                    "This network takes at most %(max)s attachment.",
                    "This network takes at most %(max)s attachments.",
                    rules.max_media,
                )
                % {"max": rules.max_media},
            )
        )
    for item in draft.media:
        if item.mime_type not in rules.media_types:
            found.append(
                Check(
                    "media_type",
                    "error",
                    _("%(name)s: this network does not take %(type)s files.")
                    % {"name": item.name, "type": item.mime_type},
                )
            )
        max_bytes = rules.max_video_bytes if item.kind == "video" else rules.max_image_bytes
        if item.size_bytes > max_bytes:
            found.append(
                Check(
                    "media_too_large",
                    "error",
                    _("%(name)s is %(size)s MB; this network takes at most %(max)s MB.")
                    % {
                        "name": item.name,
                        "size": round(item.size_bytes / 1024 / 1024, 1),
                        "max": round(max_bytes / 1024 / 1024, 1),
                    },
                )
            )
        if require_alt_text and item.kind == "image" and not item.alt_text.strip():
            found.append(
                Check(
                    "alt_text_missing",
                    "error",
                    _("%(name)s has no alt text; the organization requires it on every image.")
                    % {"name": item.name},
                )
            )
        if item.rights_expired:
            found.append(
                Check(
                    "rights_expired",
                    "error",
                    _("%(name)s: the usage rights have expired.") % {"name": item.name},
                )
            )
    if rules.requires_media and not draft.media:
        found.append(Check("media_required", "error", _("This network needs an image or a video.")))
    elif rules.visual and not draft.media:
        found.append(
            Check(
                "no_visual",
                "warning",
                _("No image or video: posts without a visual reach far fewer people on this network."),
            )
        )

    # Links
    has_link = bool(draft.link or URL_PATTERN.search(draft.text))
    if has_link and not rules.clickable_links:
        found.append(
            Check(
                "link_not_clickable",
                "warning",
                _("Links in the text cannot be clicked on this network; point to the link in your profile."),
            )
        )
    if _is_link_only(draft):
        found.append(
            Check(
                "link_only",
                "warning",
                _("Only a link: say why it is worth clicking; link-only posts reach fewer people."),
            )
        )
    if draft.first_comment.strip() and not rules.supports_first_comment:
        found.append(
            Check(
                "first_comment_unsupported",
                "warning",
                _("This network has no first comment; it will not be posted."),
            )
        )

    # Repeats
    normalized = normalize_text(draft.text)
    if normalized and normalized in recent_texts:
        found.append(
            Check(
                "repeat",
                "warning",
                _("The same text was used in another post in the last 30 days; the audience has seen it."),
            )
        )
    return found


def has_errors(checks: list[Check]) -> bool:
    return any(check.level == "error" for check in checks)
