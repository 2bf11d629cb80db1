"""Checks of one network variant: hard rules of the network (errors) and quality advice (warnings).

Pure functions over plain data, so the editor (live, on every keystroke), the API and the coming approval
step all ask the same questions and get the same answers. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import regex
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from flokk.channels.networks import HASHTAG_IN_TEXT, RULES, NetworkRules, hashtag_key

URL_PATTERN = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
NEAR_LIMIT = 0.9
# A scheduled time further than this from every good window of the network is flagged.
OFF_HOURS_MARGIN = dt.timedelta(hours=2)


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


@dataclass(frozen=True)
class HashtagRules:
    """The strategy's hashtag rules. `max_per_post` None: the network's usual number."""

    max_per_post: int | None = None
    required: tuple[str, ...] = ()  # at least one of them
    banned: tuple[str, ...] = ()


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


def hashtags_used(draft: VariantDraft) -> list[str]:
    """The variant's hashtags (its list, then `#tags` in its text), each once whatever its case, as typed."""
    found: list[str] = []
    seen: set[str] = set()
    in_text = HASHTAG_IN_TEXT.findall(unicodedata.normalize("NFC", draft.text))
    for tag in [*draft.hashtags, *in_text]:
        key = hashtag_key(tag)
        if key and key not in seen:
            seen.add(key)
            found.append(tag.lstrip("#"))
    return found


def _minutes_to_window(minute: int, start_hour: int, end_hour: int) -> int:
    """Minutes from `minute` (of the day) to the window, 0 inside it, counting across midnight."""
    start, end = start_hour * 60, end_hour * 60
    if start <= minute <= end:
        return 0
    day = 24 * 60
    return min((start - minute) % day, (minute - end) % day)


def _hours_label(windows: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(f"{start:02d}:00-{end:02d}:00" for start, end in windows)


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
    draft: VariantDraft,
    *,
    require_alt_text: bool,
    recent_texts: frozenset[str] = frozenset(),
    hashtag_rules: HashtagRules | None = None,
    scheduled_local: dt.datetime | None = None,
) -> list[Check]:
    """Every error and warning for one variant; an empty list means nothing to say.

    `recent_texts` holds the normalized texts the organization's other posts used in the last 30 days;
    `hashtag_rules` come from the strategy; `scheduled_local` is the scheduled time in the organization's
    time zone (None: not scheduled).
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
    found.extend(_hashtag_checks(draft, rules, hashtag_rules or HashtagRules()))
    if scheduled_local is not None:
        found.extend(_timing_checks(scheduled_local, rules))
    return found


def _hashtag_checks(draft: VariantDraft, rules: NetworkRules, hashtag_rules: HashtagRules) -> list[Check]:
    found: list[Check] = []
    used = hashtags_used(draft)
    most = hashtag_rules.max_per_post if hashtag_rules.max_per_post is not None else rules.usual_hashtags
    if len(used) > most:
        found.append(
            Check(
                "too_many_hashtags",
                "warning",
                ngettext(
                    "%(count)s hashtags (%(tags)s); at most %(max)s is advised here: more look like spam.",
                    "%(count)s hashtags (%(tags)s); at most %(max)s are advised here: more look like spam.",
                    most,
                )
                % {"count": len(used), "tags": " ".join(f"#{tag}" for tag in used), "max": most},
            )
        )
    banned_keys = {hashtag_key(tag) for tag in hashtag_rules.banned}
    banned_used = [tag for tag in used if hashtag_key(tag) in banned_keys]
    if banned_used:
        found.append(
            Check(
                "banned_hashtag",
                "warning",
                _("The strategy bans %(tags)s.") % {"tags": " ".join(f"#{tag}" for tag in banned_used)},
            )
        )
    used_keys = {hashtag_key(tag) for tag in used}
    if hashtag_rules.required and not used_keys & {hashtag_key(tag) for tag in hashtag_rules.required}:
        found.append(
            Check(
                "required_hashtag_missing",
                "warning",
                _("None of the strategy's required hashtags is used; add one of: %(tags)s.")
                % {"tags": " ".join(f"#{tag}" for tag in hashtag_rules.required)},
            )
        )
    return found


def _timing_checks(scheduled_local: dt.datetime, rules: NetworkRules) -> list[Check]:
    # Industry-wide defaults for now; analytics will learn the organization's own best times and pass them
    # in here instead.
    if not rules.good_hours:
        return []
    minute = scheduled_local.hour * 60 + scheduled_local.minute
    nearest = min(_minutes_to_window(minute, start, end) for start, end in rules.good_hours)
    if nearest <= OFF_HOURS_MARGIN.total_seconds() // 60:
        return []
    return [
        Check(
            "off_hours",
            "warning",
            _(
                "Scheduled at %(time)s, more than 2 hours from this network's usual good hours "
                "(%(hours)s, local time): fewer people will see it."
            )
            % {"time": scheduled_local.strftime("%H:%M"), "hours": _hours_label(rules.good_hours)},
        )
    ]


def has_errors(checks: list[Check]) -> bool:
    return any(check.level == "error" for check in checks)
