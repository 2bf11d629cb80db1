"""Writing posts and their network variants, and checking them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.models import Account
from flokk.content.models import Asset, Campaign, Post, Variant
from flokk.content.services.approval import reopen_after_edit
from flokk.content.services.checks import (
    Check,
    HashtagRules,
    MediaInfo,
    VariantDraft,
    check_variant,
    clean_hashtags,
    normalize_text,
)
from flokk.content.services.policy import policy_for
from flokk.content.services.scheduling import require_future
from flokk.content.services.versions import record_version
from flokk.core.audit import record
from flokk.strategy.models import Strategy
from flokk.teams.models import Organization, User

REPEAT_WINDOW = dt.timedelta(days=30)


@dataclass
class VariantInput:
    """One network's own version of the post; empty text means "use the post's main text"."""

    text: str = ""
    link: str = ""
    first_comment: str = ""
    hashtags: tuple[str, ...] = ()
    asset_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class PostInput:
    """Everything a person sets on a post."""

    account_ids: list[uuid.UUID]
    text: str = ""
    objective: str = ""
    campaign_id: uuid.UUID | None = None
    content_type: str = ""
    tags: list[str] = field(default_factory=list)
    scheduled_at: dt.datetime | None = None
    variants: Mapping[str, VariantInput] = field(default_factory=dict)


def _invalid(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def _resolve(organization: Organization, data: PostInput) -> tuple[list[Account], Campaign | None]:
    if not data.account_ids:
        raise _invalid("account_ids", _("Choose at least one account."), "required")
    accounts = list(Account.objects.for_org(organization).usable().filter(pk__in=data.account_ids))
    if len(accounts) != len(set(data.account_ids)):
        raise _invalid(
            "account_ids", _("One of the accounts is not a usable account here."), "unknown_account"
        )
    campaign = None
    if data.campaign_id is not None:
        campaign = Campaign.objects.for_org(organization).filter(pk=data.campaign_id).first()
        if campaign is None:
            raise _invalid("campaign_id", _("No such campaign."), "unknown_campaign")
    if data.scheduled_at is not None:
        if timezone.is_naive(data.scheduled_at):
            raise _invalid("scheduled_at", _("The scheduled time needs a time zone."), "naive_time")
        try:
            require_future(data.scheduled_at)
        except ValidationError as error:
            raise ValidationError({"scheduled_at": error}) from None
    return accounts, campaign


def _check_variant_input(network: str, variant: VariantInput) -> None:
    if variant.link:
        try:
            URLValidator(schemes=["http", "https"])(variant.link)
        except ValidationError:
            raise _invalid(
                f"{network}.link", _("Enter a full web address (https://…)."), "invalid_link"
            ) from None


def _write_variants(
    post: Post, organization: Organization, networks: list[str], data: PostInput, actor: User
) -> None:
    existing = {variant.network: variant for variant in post.variants.all()}
    for network, variant in existing.items():
        if network not in networks:
            variant.delete()
    all_ids = {asset_id for v in data.variants.values() for asset_id in v.asset_ids}
    assets = {a.pk: a for a in Asset.objects.for_org(organization).filter(pk__in=all_ids)}
    if len(assets) != len(all_ids):
        raise _invalid(
            "asset_ids", _("One of the media files is not in this organization's library."), "unknown_asset"
        )
    today = timezone.localdate()
    for network in networks:
        given = data.variants.get(network) or VariantInput()
        _check_variant_input(network, given)
        text = given.text if given.text.strip() else data.text
        found = existing.get(network)
        variant = found if found is not None else Variant(post=post, network=network)
        before = {a.pk for a in variant.assets.all()} if found is not None else set()
        chosen = [assets[asset_id] for asset_id in given.asset_ids]
        for asset in chosen:
            # Assets already on the variant may stay (their check flags them); new ones must be usable.
            if asset.pk not in before and asset.rights_expired(today):
                raise _invalid(
                    f"{network}.assets",
                    _("The usage rights of %(name)s have expired; it cannot be used in new posts.")
                    % {"name": asset.original_name},
                    "rights_expired",
                )
        variant.text = text
        variant.link = given.link
        variant.first_comment = given.first_comment
        variant.hashtags = list(clean_hashtags(given.hashtags))
        variant.save()
        variant.assets.set(chosen)


def create_post(organization: Organization, data: PostInput, *, actor: User) -> Post:
    """A new draft post with one variant per network of its accounts; stores version 1."""
    accounts, campaign = _resolve(organization, data)
    networks = sorted({account.network for account in accounts})
    with transaction.atomic():
        post = Post.objects.create(
            organization=organization,
            objective=data.objective.strip(),
            campaign=campaign,
            content_type=data.content_type.strip(),
            tags=sorted({tag.strip() for tag in data.tags if tag.strip()}),
            scheduled_at=data.scheduled_at,
            created_by=actor,
        )
        post.accounts.set(accounts)
        _write_variants(post, organization, networks, data, actor)
        version = record_version(post, actor=actor)
        record(
            "content.post.created",
            organization=organization,
            actor=actor,
            target=post,
            data={"networks": networks, "version": version.number},
        )
    return post


def update_post(post: Post, data: PostInput, *, actor: User) -> Post:
    """Change a draft (or a post sent back for changes); stores the next version.

    Editing a post in review, approved or scheduled sends it back to draft (a new approval round follows).
    """
    if not post.is_editable():
        raise ValidationError(
            _("This post is %(status)s and can no longer be edited.") % {"status": post.get_status_display()},
            code="not_editable",
        )
    organization = post.organization
    accounts, campaign = _resolve(organization, data)
    networks = sorted({account.network for account in accounts})
    with transaction.atomic():
        reopen_after_edit(post, actor=actor)
        post.objective = data.objective.strip()
        post.campaign = campaign
        post.content_type = data.content_type.strip()
        post.tags = sorted({tag.strip() for tag in data.tags if tag.strip()})
        post.scheduled_at = data.scheduled_at
        post.save(
            update_fields=["objective", "campaign", "content_type", "tags", "scheduled_at", "updated_at"]
        )
        post.accounts.set(accounts)
        _write_variants(post, organization, networks, data, actor)
        version = record_version(post, actor=actor)
        record(
            "content.post.updated",
            organization=organization,
            actor=actor,
            target=post,
            data={"networks": networks, "version": version.number},
        )
    return post


# --- checks ------------------------------------------------------------------------------------------
def media_info(asset: Asset) -> MediaInfo:
    return MediaInfo(
        name=asset.original_name,
        kind=asset.kind,
        mime_type=asset.mime_type,
        size_bytes=asset.size_bytes,
        alt_text=asset.alt_text,
        rights_expired=asset.rights_expired(),
    )


def draft_of(variant: Variant) -> VariantDraft:
    return VariantDraft(
        network=variant.network,
        text=variant.text,
        link=variant.link,
        first_comment=variant.first_comment,
        hashtags=tuple(variant.hashtags),
        media=tuple(media_info(asset) for asset in variant.assets.all()),
    )


def recent_texts(organization: Organization, *, exclude_post: Post | None = None) -> frozenset[str]:
    """Normalized variant texts of the organization's posts of the last 30 days."""
    variants = Variant.objects.filter(
        post__organization=organization, post__created_at__gte=timezone.now() - REPEAT_WINDOW
    )
    if exclude_post is not None and exclude_post.pk:
        variants = variants.exclude(post=exclude_post)
    return frozenset(normalize_text(text) for text in variants.values_list("text", flat=True) if text.strip())


def hashtag_rules(organization: Organization) -> HashtagRules:
    """The strategy's hashtag rules (none without a strategy), in one query."""
    row = (
        Strategy.objects.filter(organization=organization)
        .values_list("max_hashtags", "required_hashtags", "banned_hashtags")
        .first()
    )
    if row is None:
        return HashtagRules()
    most, required, banned = row
    return HashtagRules(most, tuple(required or ()), tuple(banned or ()))


def local_time(organization: Organization, moment: dt.datetime) -> dt.datetime:
    """`moment` on the organization's clocks."""
    try:
        zone = ZoneInfo(organization.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone)


def check_drafts(
    organization: Organization,
    drafts: Iterable[VariantDraft],
    *,
    exclude_post: Post | None = None,
    scheduled_at: dt.datetime | None = None,
) -> dict[str, list[Check]]:
    """Checks per network for drafts of one post (to be published at `scheduled_at`, if set).

    A fixed number of queries whatever the number of drafts: policy, recent texts, the strategy's rules.
    """
    policy = policy_for(organization)
    recent = recent_texts(organization, exclude_post=exclude_post)
    rules = hashtag_rules(organization)
    scheduled_local = (
        local_time(organization, scheduled_at)
        if scheduled_at is not None and timezone.is_aware(scheduled_at)
        else None
    )
    return {
        draft.network: check_variant(
            draft,
            require_alt_text=policy.require_alt_text,
            recent_texts=recent,
            hashtag_rules=rules,
            scheduled_local=scheduled_local,
        )
        for draft in drafts
    }


def post_checks(post: Post) -> dict[str, list[Check]]:
    """Checks per network of a saved post."""
    return check_drafts(
        post.organization,
        [draft_of(v) for v in post.variants.all()],
        exclude_post=post,
        scheduled_at=post.scheduled_at,
    )
