"""The UTM builder: the organization's UTM conventions applied to every link in a post's text.

Conventions are templates in `AnalyticsSettings` (`utm_source` = "{network}", `utm_campaign` =
"{campaign}", ...) with three placeholders: `{network}`, `{campaign}` (the post's campaign name, slugified)
and `{post}` (the first 8 characters of the post's id). A parameter the link already has is never
overridden, and one whose value comes out empty is left out. With `shorten_links` on, each tagged link is
replaced by a Flokk short link (`<FLOKK_BASE_URL>/l/<code>`), which counts the clicks.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from flokk.analytics.models import AnalyticsSettings
from flokk.analytics.services.links import MAX_TARGET_LENGTH, link_for, short_link_prefix, short_url
from flokk.channels.networks import RULES
from flokk.content.models import Post
from flokk.content.services.checks import VariantDraft, counted_length
from flokk.teams.models import Organization

logger = logging.getLogger(__name__)

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?…'\""
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
PLACEHOLDER = re.compile(r"\{(network|campaign|post)\}")


def settings_of(organization: Organization) -> AnalyticsSettings:
    """The organization's analytics settings, or the defaults (unsaved) when it has saved none."""
    found = AnalyticsSettings.objects.filter(organization=organization).first()
    return found if found is not None else AnalyticsSettings(organization=organization)


def placeholder_values(*, post: Post | None, network: str) -> dict[str, str]:
    campaign = post.campaign if post is not None and post.campaign_id is not None else None
    return {
        "network": network,
        "campaign": slugify(campaign.name) if campaign is not None else "",
        "post": post.pk.hex[:8] if post is not None else "",
    }


def render_convention(template: str, values: dict[str, str]) -> str:
    """`"{network}-spring"` → `"bluesky-spring"`; unknown braces stay as typed."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template).strip()


def tag_url(url: str, parameters: dict[str, str]) -> str:
    """The URL with the UTM parameters it lacks; its own parameters (and their order) are kept."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key.lower() for key, _value in query}
    added = [(key, value) for key, value in parameters.items() if value and key not in present]
    if not added:
        return url
    separator = "&" if parts.query else ""
    return urlunsplit(parts._replace(query=parts.query + separator + urlencode(added)))


def _split_trailing(url: str) -> tuple[str, str]:
    """A link as typed in text, without the punctuation that ends the sentence around it."""
    closers = {")": "(", "]": "["}
    end = len(url)
    while end > 0:
        char = url[end - 1]
        unbalanced = char in closers and url[:end].count(closers[char]) < url[:end].count(char)
        if char not in TRAILING and not unbalanced:
            break
        end -= 1
    return url[:end], url[end:]


def tag_links(text: str, *, organization: Organization, post: Post | None, network: str) -> str:
    """`text` with every http(s) link tagged by the organization's UTM conventions (and shortened when
    the organization shortens links). Links that are already Flokk short links are left alone, so
    tagging twice changes nothing; a link that cannot be tagged or shortened is kept as it was.
    """
    conventions = settings_of(organization)
    values = placeholder_values(post=post, network=network)
    parameters = {key: render_convention(getattr(conventions, key), values) for key in UTM_KEYS}
    prefix = short_link_prefix()
    campaign = post.campaign if post is not None and post.campaign_id is not None else None
    done: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        url, rest = _split_trailing(match.group(0))
        if not url or url.startswith(prefix):
            return match.group(0)
        if url not in done:
            tagged = tag_url(url, parameters)
            if len(tagged) > MAX_TARGET_LENGTH:
                tagged = url
            result = tagged
            if conventions.shorten_links:
                try:
                    link = link_for(organization, tagged, post=post, network=network, campaign=campaign)
                except ValidationError:
                    pass  # an address the short links refuse (credentials, odd characters): as it is
                else:
                    result = short_url(link)
            done[url] = result
        return done[url] + rest

    return URL_IN_TEXT.sub(replace, text)


def tagged_for_publishing(
    *, organization: Organization, post: Post, network: str, text: str, link: str, hashtags: tuple[str, ...]
) -> tuple[str, str]:
    """The text and link of a variant as they go out to the network: tagged, once the organization has
    saved its analytics settings (until then posts go out exactly as written).

    Tagging never makes a post fail: when the tagged text would break the network's length limit, where
    links cannot be clicked (Instagram), or if tagging itself fails, the variant goes out as written.
    """
    rules = RULES.get(network)
    if rules is None or not rules.clickable_links:
        return text, link
    if not AnalyticsSettings.objects.filter(organization=organization).exists():
        return text, link
    try:
        new_text = tag_links(text, organization=organization, post=post, network=network)
        new_link = tag_links(link, organization=organization, post=post, network=network) if link else ""
    except Exception:  # an enrichment: never the reason a post is not published
        logger.exception("tagging the links of post %s failed; publishing it as written", post.pk)
        return text, link
    draft = VariantDraft(network=network, text=new_text, link=new_link, hashtags=hashtags)
    if counted_length(draft, rules) > rules.max_text_graphemes:
        return text, link
    return new_text, new_link
