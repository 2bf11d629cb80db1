"""The social networks Flokk knows, and each one's publishing rules.

This is the one list: model choices, validation, previews and the strategy's channel plan derive from it.
Connectors (one package each under `flokk/channels/connectors/`, the publishing issue) register against
these keys.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (demo network)")
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"


@dataclass(frozen=True)
class NetworkRules:
    """What one post may hold on a network. Lengths count graphemes (what a reader sees as characters)."""

    max_text_graphemes: int
    max_media: int
    media_types: frozenset[str]  # MIME type prefixes or exact types
    max_image_bytes: int
    max_video_bytes: int
    visual: bool  # a post without an image or video does poorly here
    requires_media: bool = False  # the network refuses a post without media
    supports_first_comment: bool = False
    link_preview: bool = True  # the network turns a link into a card
    link_length: int | None = (
        None  # every link counts as this many characters (X shortens them), else as typed
    )
    clickable_links: bool = True  # False: a link in the text is shown but cannot be followed
    usual_hashtags: int = 5  # more hashtags than this looks like spam here (the strategy may set its own)
    # Local hours (start, end) when posts here usually do well, from widely published industry guidance.
    # Analytics will later learn each organization's own best times; until then these are the default.
    good_hours: tuple[tuple[int, int], ...] = ()


MB = 1024 * 1024
IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
IMAGES_AND_VIDEO = IMAGES | frozenset({"video/mp4", "video/quicktime"})

MORNING_AND_EVENING = ((8, 11), (17, 20))

RULES: dict[str, NetworkRules] = {
    Network.SANDBOX: NetworkRules(500, 4, IMAGES_AND_VIDEO, 10 * MB, 100 * MB, visual=False),
    Network.BLUESKY: NetworkRules(
        300,
        4,
        IMAGES_AND_VIDEO,
        1 * MB,
        50 * MB,
        visual=False,
        usual_hashtags=3,
        good_hours=MORNING_AND_EVENING,
    ),
    Network.MASTODON: NetworkRules(
        500, 4, IMAGES_AND_VIDEO, 16 * MB, 99 * MB, visual=False, good_hours=MORNING_AND_EVENING
    ),
    Network.X: NetworkRules(
        280,
        4,
        IMAGES_AND_VIDEO,
        5 * MB,
        512 * MB,
        visual=False,
        link_length=23,
        usual_hashtags=2,
        good_hours=((8, 12),),
    ),
    Network.LINKEDIN: NetworkRules(
        3000,
        9,
        IMAGES_AND_VIDEO,
        8 * MB,
        200 * MB,
        visual=True,
        supports_first_comment=True,
        usual_hashtags=3,
        good_hours=((8, 11),),
    ),
    Network.FACEBOOK: NetworkRules(
        63206,
        10,
        IMAGES_AND_VIDEO,
        10 * MB,
        1024 * MB,
        visual=True,
        supports_first_comment=True,
        usual_hashtags=3,
        good_hours=((9, 13),),
    ),
    Network.INSTAGRAM: NetworkRules(
        2200,
        10,
        IMAGES_AND_VIDEO,
        8 * MB,
        100 * MB,
        visual=True,
        requires_media=True,
        supports_first_comment=True,
        link_preview=False,
        clickable_links=False,
        good_hours=((11, 14), (19, 21)),
    ),
}

# A hashtag as the networks read it: "#", then letters, digits or "_" in any script (#sommarrea, #ærø),
# at least one of them a letter ("#1" is no tag), and not glued to a word or an address ("page#top").
# Match against NFC text: a letter typed as base + combining accent is one character only after NFC.
HASHTAG_IN_TEXT = re.compile(r"(?<![\w#&/])#(\w*[^\W\d_]\w*)")
HASHTAG_NAME = re.compile(r"\w*[^\W\d_]\w*")


def hashtag_key(tag: str) -> str:
    """How two tags compare: without "#", in NFC, case-folded (#Ærø and #ærø are the same tag)."""
    return unicodedata.normalize("NFC", tag.strip().lstrip("#")).casefold()
