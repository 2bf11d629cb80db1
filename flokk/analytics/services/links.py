"""Short links served by Flokk (`/l/<code>`): creating them, and counting the people who follow them.

A code is 8 random letters and digits (62^8 possibilities), so codes cannot be guessed or walked. A click
is an event (`record_events`): the rollups count it, `Link.clicks` follows. Nothing about the person is
kept: no address, no user agent. Known bots and link-preview fetchers are sent on but not counted.
"""

from __future__ import annotations

import secrets
import string
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import NONE, Link
from flokk.analytics.services.rollups import NewEvent, record_events
from flokk.content.models import Campaign, Post
from flokk.core.audit import record
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization, User

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8
CODE_ATTEMPTS = 5
MAX_TARGET_LENGTH = 2000
CONTROL_OR_SPACE = frozenset(chr(c) for c in range(0x21)) | {"\x7f"}

# Lower-case pieces of user agents that are not people: crawlers, and the fetchers that build link
# previews in chats and feeds. An empty user agent is not a browser either.
BOT_MARKERS = (
    "bot",
    "crawler",
    "spider",
    "slurp",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "twitterbot",
    "slackbot",
    "slack-imgproxy",
    "linkedinbot",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "skypeuripreview",
    "bingpreview",
    "embedly",
    "pinterest",
    "vkshare",
    "redditbot",
    "mastodon",
    "bluesky",
    "cardyb",
    "preview",
    "headlesschrome",
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "httpx",
    "aiohttp",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "scrapy",
)


def public_base_url() -> str:
    """Where Flokk answers the public (FLOKK_BASE_URL), without a trailing slash."""
    return str(settings.FLOKK_BASE_URL).rstrip("/")


def short_url(link: Link) -> str:
    return public_base_url() + reverse("analytics:short_link", args=[link.code])


def short_link_prefix() -> str:
    """The start of every short link's address, to recognise links Flokk made itself."""
    return public_base_url() + reverse("analytics:short_link", args=["x"])[:-1]


def validate_target(url: str) -> str:
    """The target of a short link: a full http(s) address, at most 2000 characters, without credentials.

    Raises ValidationError (field `target_url`) otherwise; returns the address stripped of surrounding space.
    """
    url = url.strip()
    if not url:
        raise ValidationError({"target_url": _("Enter the address to link to.")}, code="invalid_link")
    if len(url) > MAX_TARGET_LENGTH:
        raise ValidationError(
            {"target_url": _("The address is too long (at most 2000 characters).")}, code="invalid_link"
        )
    if any(char in CONTROL_OR_SPACE for char in url):
        raise ValidationError(
            {"target_url": _("The address may not contain spaces or control characters.")},
            code="invalid_link",
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
    except (ValidationError, ValueError):
        raise ValidationError(
            {"target_url": _("Enter a full web address starting with http:// or https://.")},
            code="invalid_link",
        ) from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            {"target_url": _("The address may not contain a user name or password.")}, code="invalid_link"
        )
    if url.startswith(short_link_prefix()):
        raise ValidationError({"target_url": _("This is already a Flokk short link.")}, code="invalid_link")
    return url


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_link(
    organization: Organization,
    target_url: str,
    *,
    post: Post | None = None,
    network: str = "",
    campaign: Campaign | None = None,
    actor: User | None,
) -> Link:
    """A new short link to `target_url` for the post, network and campaign (the post's when not given).

    Raises ValidationError for a target that is not a plain http(s) address, or a post or campaign of
    another organization. Retries with a new code on the (very unlikely) collision.
    """
    target_url = validate_target(target_url)
    if post is not None and post.organization_id != organization.pk:
        raise ValidationError({"post": _("No such post.")}, code="unknown_post")
    if campaign is not None and campaign.organization_id != organization.pk:
        raise ValidationError({"campaign": _("No such campaign.")}, code="unknown_campaign")
    if campaign is None and post is not None and post.campaign_id is not None:
        campaign = post.campaign
    network = network.strip()[:20]
    with transaction.atomic():
        for attempt in range(CODE_ATTEMPTS):
            try:
                with transaction.atomic():
                    link = Link.objects.create(
                        organization=organization,
                        code=new_code(),
                        target_url=target_url,
                        post=post,
                        network=network,
                        campaign=campaign,
                        created_by=actor,
                    )
                break
            except IntegrityError:
                if attempt == CODE_ATTEMPTS - 1:
                    raise
        record(
            "analytics.link.created",
            organization=organization,
            actor=actor,
            target=link,
            data={"target_url": target_url[:500], "network": network},
        )
    return link


def link_for(
    organization: Organization,
    target_url: str,
    *,
    post: Post | None,
    network: str,
    campaign: Campaign | None,
) -> Link:
    """The short link for this target in this post on this network: the existing one, else a new one.

    Reusing it keeps a post's text the same from one publishing attempt to the next.
    """
    existing = Link.objects.filter(
        organization=organization,
        target_url=target_url,
        post=post,
        network=network,
        campaign=campaign,
    ).first()
    if existing is not None:
        return existing
    return create_link(organization, target_url, post=post, network=network, campaign=campaign, actor=None)


def is_bot(user_agent: str) -> bool:
    """Whether a request comes from a crawler or preview fetcher rather than a person's browser."""
    agent = user_agent.strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)


def record_click(link: Link, *, account_id: uuid.UUID | None = None) -> None:
    """Count one click on the short link (a person's, not a bot's: the caller decides)."""
    if account_id is None:
        account_id = _account_of(link)
    record_events(
        [
            NewEvent(
                organization_id=link.organization_id,
                occurred_at=timezone.now(),
                kind=EventKind.CLICK,
                count=1,
                network=link.network,
                source=EventSource.LINK,
                account_id=account_id,
                post_id=link.post_id or NONE,
                campaign_id=link.campaign_id or NONE,
                link_id=link.pk,
            )
        ]
    )


def _account_of(link: Link) -> uuid.UUID:
    """The account the link's post went out on, on the link's network, when there is exactly that."""
    if link.post_id is None or not link.network:
        return NONE
    account_id = (
        Delivery.objects.filter(post_id=link.post_id, account__network=link.network)
        .values_list("account_id", flat=True)
        .first()
    )
    return account_id or NONE
