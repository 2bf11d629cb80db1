"""The social networks Flokk knows, and each one's publishing rules.

This is the one list: model choices, validation, previews and the strategy's channel plan derive from it.
Connectors (one package each under `flokk/channels/connectors/`, the publishing issue) register against
these keys.
"""

from __future__ import annotations

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


MB = 1024 * 1024
IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
IMAGES_AND_VIDEO = IMAGES | frozenset({"video/mp4", "video/quicktime"})

RULES: dict[str, NetworkRules] = {
    Network.SANDBOX: NetworkRules(500, 4, IMAGES_AND_VIDEO, 10 * MB, 100 * MB, visual=False),
    Network.BLUESKY: NetworkRules(300, 4, IMAGES_AND_VIDEO, 1 * MB, 50 * MB, visual=False),
    Network.MASTODON: NetworkRules(500, 4, IMAGES_AND_VIDEO, 16 * MB, 99 * MB, visual=False),
    Network.X: NetworkRules(280, 4, IMAGES_AND_VIDEO, 5 * MB, 512 * MB, visual=False, link_length=23),
    Network.LINKEDIN: NetworkRules(
        3000, 9, IMAGES_AND_VIDEO, 8 * MB, 200 * MB, visual=True, supports_first_comment=True
    ),
    Network.FACEBOOK: NetworkRules(
        63206, 10, IMAGES_AND_VIDEO, 10 * MB, 1024 * MB, visual=True, supports_first_comment=True
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
    ),
}
