"""Strategy API: read and replace the living strategy; list its versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints

from flokk.channels.networks import Network
from flokk.strategy.api.common import FOR_READERS, FOR_WRITERS, Line, LongText, Name, Note, ShortText, router
from flokk.strategy.choices import MAX_HASHTAG_LENGTH, MAX_HASHTAG_RULES, Challenge, Purpose
from flokk.strategy.models import Strategy, StrategyVersion
from flokk.strategy.services.strategy import (
    MAX_AUDIENCES,
    MAX_PRIORITY,
    AudienceData,
    ChannelData,
    StrategyContent,
    current_content,
    save_strategy,
    too_many_networks,
)
from flokk.teams.api.common import OrgSlug
from flokk.teams.models import Organization
from flokk.teams.permissions import api_access

# A tag with or without "#"; the service checks it is one (letters, digits, _) and stores it without "#".
Hashtag = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_HASHTAG_LENGTH + 1, strip_whitespace=True)
]


class PurposeSchema(Schema):
    purpose: Purpose
    aim: Line = ""


class AudienceSchema(Schema):
    name: Name
    description: Note = ""
    parent: ShortText | None = Field(None, description="Name of an audience earlier in the list")


class ChannelSchema(Schema):
    network: Network
    priority: int = Field(1, ge=1, le=MAX_PRIORITY, description="1 is the most important")
    reason: Line = ""


class StrategyIn(Schema):
    brand_identity: LongText = ""
    tone_of_voice: LongText = ""
    challenges: list[Challenge] = Field(default_factory=list, max_length=len(Challenge))
    purposes: list[PurposeSchema] = Field(default_factory=list, max_length=len(Purpose))
    audiences: list[AudienceSchema] = Field(default_factory=list, max_length=MAX_AUDIENCES)
    channels: list[ChannelSchema] = Field(default_factory=list, max_length=len(Network))
    max_hashtags: int | None = Field(
        None,
        ge=0,
        le=MAX_HASHTAG_RULES,
        description="Most hashtags per post; null: each network's usual number",
    )
    required_hashtags: list[Hashtag] = Field(
        default_factory=list, max_length=MAX_HASHTAG_RULES, description="A post should carry at least one"
    )
    banned_hashtags: list[Hashtag] = Field(default_factory=list, max_length=MAX_HASHTAG_RULES)


class StrategyOut(StrategyIn):
    version: int = Field(description="0 while nothing has been saved")
    updated_at: datetime | None
    warnings: list[str]


class VersionOut(Schema):
    id: uuid.UUID
    number: int
    saved_at: datetime
    saved_by: str | None = Field(description="E-mail of who saved it, if they still exist")
    changed: list[str] = Field(description="The sections this version changed")


def _strategy_out(organization: Organization) -> StrategyOut:
    strategy = (
        Strategy.objects.filter(organization=organization)
        .prefetch_related("purposes", "audiences", "channels")
        .first()
    )
    content = current_content(strategy)
    warnings = []
    if too_many_networks(len(content.channels)):
        warnings.append(_("Many networks are chosen; the sources advise against being everywhere."))
    return StrategyOut(
        brand_identity=content.brand_identity,
        tone_of_voice=content.tone_of_voice,
        challenges=[Challenge(c) for c in content.challenges],
        purposes=[PurposeSchema(purpose=Purpose(p), aim=aim) for p, aim in content.purposes.items()],
        audiences=[
            AudienceSchema(name=a.name, description=a.description, parent=a.parent) for a in content.audiences
        ],
        channels=[
            ChannelSchema(network=Network(c.network), priority=c.priority, reason=c.reason)
            for c in content.channels
        ],
        max_hashtags=content.max_hashtags,
        required_hashtags=content.required_hashtags,
        banned_hashtags=content.banned_hashtags,
        version=strategy.version if strategy else 0,
        updated_at=strategy.updated_at if strategy else None,
        warnings=warnings,
    )


@router.get(
    "/orgs/{org}/strategy",
    response={200: StrategyOut, **FOR_READERS},
    summary="The organization's current strategy",
    operation_id="flokk_strategy_api_get_strategy",
)
def get_strategy(request: HttpRequest, org: OrgSlug) -> StrategyOut:
    access = api_access(request, org, "strategy.view")
    return _strategy_out(access.organization)


@router.put(
    "/orgs/{org}/strategy",
    response={200: StrategyOut, **FOR_WRITERS},
    summary="Replace the strategy; the earlier one is kept as a version",
    operation_id="flokk_strategy_api_put_strategy",
)
def put_strategy(request: HttpRequest, org: OrgSlug, payload: StrategyIn) -> StrategyOut:
    access = api_access(request, org, "strategy.work")
    if len({p.purpose for p in payload.purposes}) != len(payload.purposes):
        raise ValidationError({"purposes": _("Each purpose can be listed once.")}, code="duplicate_purpose")
    content = StrategyContent(
        brand_identity=payload.brand_identity,
        tone_of_voice=payload.tone_of_voice,
        challenges=[c.value for c in payload.challenges],
        purposes={p.purpose.value: p.aim for p in payload.purposes},
        audiences=[AudienceData(a.name, a.description, a.parent) for a in payload.audiences],
        channels=[ChannelData(c.network.value, c.priority, c.reason) for c in payload.channels],
        max_hashtags=payload.max_hashtags,
        required_hashtags=list(payload.required_hashtags),
        banned_hashtags=list(payload.banned_hashtags),
    )
    save_strategy(access.organization, content, actor=access.user)
    return _strategy_out(access.organization)


@router.get(
    "/orgs/{org}/strategy/versions",
    response={200: list[VersionOut], **FOR_READERS},
    summary="Every saved version of the strategy, newest first",
    operation_id="flokk_strategy_api_list_versions",
)
def list_versions(request: HttpRequest, org: OrgSlug) -> list[VersionOut]:
    access = api_access(request, org, "strategy.view")
    versions = StrategyVersion.objects.filter(organization=access.organization).select_related("author")
    return [
        VersionOut(
            id=v.pk,
            number=v.number,
            saved_at=v.created_at,
            saved_by=v.author.email if v.author else None,
            changed=list(v.content.get("changed", [])),
        )
        for v in versions
    ]
