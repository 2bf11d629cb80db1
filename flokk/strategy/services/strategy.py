"""The living strategy: saving it (each save a new version) and reading the differences between versions."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.channels.networks import HASHTAG_NAME, Network, hashtag_key
from flokk.core.audit import record
from flokk.strategy.choices import (
    MAX_HASHTAG_LENGTH,
    MAX_HASHTAG_RULES,
    RECOMMENDED_MAX_NETWORKS,
    STRATEGY_SECTIONS,
    Challenge,
    Purpose,
)
from flokk.strategy.models import Audience, ChannelChoice, Strategy, StrategyPurpose, StrategyVersion
from flokk.strategy.services.validation import clean_text
from flokk.teams.models import Organization, User

MAX_AUDIENCES = 50
MAX_PRIORITY = 99


@dataclass(frozen=True)
class AudienceData:
    name: str
    description: str = ""
    parent: str | None = None  # the name of an audience earlier in the list


@dataclass(frozen=True)
class ChannelData:
    network: str
    priority: int = 1
    reason: str = ""


@dataclass(frozen=True)
class StrategyContent:
    """Everything a strategy says; what a save writes and what a version keeps."""

    brand_identity: str = ""
    tone_of_voice: str = ""
    challenges: list[str] = field(default_factory=list)
    purposes: dict[str, str] = field(default_factory=dict)  # purpose -> aim
    audiences: list[AudienceData] = field(default_factory=list)
    channels: list[ChannelData] = field(default_factory=list)
    max_hashtags: int | None = None  # None: each network's usual number
    required_hashtags: list[str] = field(default_factory=list)  # a post should carry at least one
    banned_hashtags: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "brand_identity": self.brand_identity,
            "tone_of_voice": self.tone_of_voice,
            "challenges": list(self.challenges),
            "purposes": [{"purpose": p, "aim": aim} for p, aim in self.purposes.items()],
            "audiences": [
                {"name": a.name, "description": a.description, "parent": a.parent} for a in self.audiences
            ],
            "channels": [
                {"network": c.network, "priority": c.priority, "reason": c.reason} for c in self.channels
            ],
            "hashtags": {
                "max_per_post": self.max_hashtags,
                "required": list(self.required_hashtags),
                "banned": list(self.banned_hashtags),
            },
        }


def _purpose_order(purpose: StrategyPurpose) -> int:
    return Purpose.values.index(purpose.purpose) if purpose.purpose in Purpose.values else len(Purpose.values)


def current_content(strategy: Strategy | None) -> StrategyContent:
    """What the strategy says now (an empty strategy when there is none yet)."""
    if strategy is None:
        return StrategyContent()
    audiences = list(strategy.audiences.all())
    names = {a.pk: a.name for a in audiences}
    return StrategyContent(
        brand_identity=strategy.brand_identity,
        tone_of_voice=strategy.tone_of_voice,
        challenges=list(strategy.challenges),
        purposes={p.purpose: p.aim for p in sorted(strategy.purposes.all(), key=_purpose_order)},
        audiences=[
            AudienceData(a.name, a.description, names.get(a.parent_id) if a.parent_id else None)
            for a in audiences
        ],
        channels=[ChannelData(c.network, c.priority, c.reason) for c in strategy.channels.all()],
        max_hashtags=strategy.max_hashtags,
        required_hashtags=list(strategy.required_hashtags),
        banned_hashtags=list(strategy.banned_hashtags),
    )


def _clean_tags(tags: list[str], name: str, errors: dict[str, list[str]]) -> list[str]:
    """Tags without "#", in NFC, each once (case-insensitively), in the order given."""
    cleaned: list[str] = []
    seen: set[str] = set()
    if len(tags) > MAX_HASHTAG_RULES:
        errors.setdefault(name, []).append(_("At most %(n)s hashtags.") % {"n": MAX_HASHTAG_RULES})
    for raw in tags[:MAX_HASHTAG_RULES]:
        tag = unicodedata.normalize("NFC", (raw or "").strip().lstrip("#"))
        if not tag:
            continue
        if len(tag) > MAX_HASHTAG_LENGTH or not HASHTAG_NAME.fullmatch(tag):
            errors.setdefault(name, []).append(
                _("#%(tag)s is not a hashtag: use letters, digits and _, with at least one letter.")
                % {"tag": tag[:MAX_HASHTAG_LENGTH]}
            )
            continue
        if hashtag_key(tag) not in seen:
            seen.add(hashtag_key(tag))
            cleaned.append(tag)
    return cleaned


def _clean(content: StrategyContent) -> StrategyContent:
    errors: dict[str, list[str]] = {}

    def check(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)
            return None

    brand = check("brand_identity", lambda: clean_text(content.brand_identity, "brand_identity", 5000))
    tone = check("tone_of_voice", lambda: clean_text(content.tone_of_voice, "tone_of_voice", 5000))
    unknown = set(content.challenges) - set(Challenge.values)
    if unknown:
        errors["challenges"] = [_("Unknown challenge: %(c)s") % {"c": ", ".join(sorted(unknown))}]
    purposes: dict[str, str] = {}
    for purpose, aim in content.purposes.items():
        if purpose not in Purpose.values:
            errors.setdefault("purposes", []).append(_("Unknown purpose: %(p)s") % {"p": purpose})
            continue
        purposes[purpose] = check("purposes", lambda aim=aim: clean_text(aim, "purposes", 300)) or ""
    audiences: list[AudienceData] = []
    seen: set[str] = set()
    if len(content.audiences) > MAX_AUDIENCES:
        errors["audiences"] = [_("At most %(n)s audiences.") % {"n": MAX_AUDIENCES}]
    for audience in content.audiences[:MAX_AUDIENCES]:
        name = check("audiences", lambda a=audience: clean_text(a.name, "audiences", 100, required=True))
        description = check("audiences", lambda a=audience: clean_text(a.description, "audiences", 500))
        if name is None:
            continue
        if name in seen:
            errors.setdefault("audiences", []).append(_("Two audiences are called %(n)s.") % {"n": name})
        parent = (audience.parent or "").strip() or None
        if parent is not None and parent not in seen:
            errors.setdefault("audiences", []).append(
                _("The parent of %(n)s must be an audience listed before it.") % {"n": name}
            )
        seen.add(name)
        audiences.append(AudienceData(name, description or "", parent))
    channels: list[ChannelData] = []
    networks: set[str] = set()
    for channel in content.channels:
        if channel.network not in Network.values:
            errors.setdefault("channels", []).append(_("Unknown network: %(n)s") % {"n": channel.network})
            continue
        if channel.network in networks:
            errors.setdefault("channels", []).append(_("%(n)s is chosen twice.") % {"n": channel.network})
        if not 1 <= channel.priority <= MAX_PRIORITY:
            errors.setdefault("channels", []).append(
                _("Priority is a number from 1 to %(max)s.") % {"max": MAX_PRIORITY}
            )
        reason = check("channels", lambda c=channel: clean_text(c.reason, "channels", 300))
        networks.add(channel.network)
        channels.append(ChannelData(channel.network, channel.priority, reason or ""))
    if content.max_hashtags is not None and not 0 <= content.max_hashtags <= MAX_HASHTAG_RULES:
        errors["max_hashtags"] = [
            _("The most hashtags per post is a number from 0 to %(max)s.") % {"max": MAX_HASHTAG_RULES}
        ]
    required = _clean_tags(content.required_hashtags, "required_hashtags", errors)
    banned = _clean_tags(content.banned_hashtags, "banned_hashtags", errors)
    both = {hashtag_key(t) for t in required} & {hashtag_key(t) for t in banned}
    if both:
        errors.setdefault("banned_hashtags", []).append(
            _("A hashtag cannot be both required and banned: %(tags)s")
            % {"tags": ", ".join(f"#{t}" for t in banned if hashtag_key(t) in both)}
        )
    if errors:
        raise ValidationError(
            {
                name: [ValidationError(m, code="invalid") for m in messages]
                for name, messages in errors.items()
            }
        )
    return StrategyContent(
        brand_identity=brand or "",
        tone_of_voice=tone or "",
        challenges=[c for c in Challenge.values if c in set(content.challenges)],
        purposes={p: purposes[p] for p in Purpose.values if p in purposes},
        audiences=audiences,
        channels=sorted(channels, key=lambda c: (c.priority, c.network)),
        max_hashtags=content.max_hashtags,
        required_hashtags=required,
        banned_hashtags=banned,
    )


def save_strategy(organization: Organization, content: StrategyContent, *, actor: User) -> StrategyVersion:
    """Replace what the organization's strategy says with `content` and keep it as a new version.

    Raises ValidationError (by field) for unknown choices, duplicate or dangling audiences, duplicate
    networks, bad priorities and over-long text; nothing is written then.
    """
    content = _clean(content)
    with transaction.atomic():
        strategy, _created = Strategy.objects.select_for_update().get_or_create(organization=organization)
        previous = current_content(strategy).as_json() if strategy.version else None
        strategy.brand_identity = content.brand_identity
        strategy.tone_of_voice = content.tone_of_voice
        strategy.challenges = content.challenges
        strategy.max_hashtags = content.max_hashtags
        strategy.required_hashtags = content.required_hashtags
        strategy.banned_hashtags = content.banned_hashtags
        strategy.version += 1
        strategy.save(
            update_fields=[
                "brand_identity",
                "tone_of_voice",
                "challenges",
                "max_hashtags",
                "required_hashtags",
                "banned_hashtags",
                "version",
                "updated_at",
            ]
        )

        strategy.purposes.all().delete()
        StrategyPurpose.objects.bulk_create(
            StrategyPurpose(organization=organization, strategy=strategy, purpose=p, aim=aim)
            for p, aim in content.purposes.items()
        )
        strategy.audiences.all().delete()
        by_name: dict[str, Audience] = {}
        for position, audience in enumerate(content.audiences):
            by_name[audience.name] = Audience.objects.create(
                organization=organization,
                strategy=strategy,
                name=audience.name,
                description=audience.description,
                parent=by_name.get(audience.parent) if audience.parent else None,
                position=position,
            )
        strategy.channels.all().delete()
        ChannelChoice.objects.bulk_create(
            ChannelChoice(
                organization=organization,
                strategy=strategy,
                network=c.network,
                priority=c.priority,
                reason=c.reason,
            )
            for c in content.channels
        )
        snapshot = content.as_json()
        changed = [key for key in snapshot if previous is None or previous.get(key) != snapshot[key]]
        version = StrategyVersion.objects.create(
            organization=organization,
            strategy=strategy,
            number=strategy.version,
            author=actor,
            content={**snapshot, "changed": changed},
        )
        record(
            "strategy.strategy.saved",
            organization=organization,
            actor=actor,
            target=version,
            target_label=f"v{version.number}",
            data={"version": version.number, "changed": changed},
        )
    return version


def too_many_networks(count: int) -> bool:
    return count > RECOMMENDED_MAX_NETWORKS


# --- reading versions -------------------------------------------------------------------------------
def _section_lines(content: dict[str, Any]) -> dict[str, list[str]]:
    """A version as readable lines per section; what the diff compares."""
    purposes = {str(value): str(label) for value, label in Purpose.choices}
    challenges = {str(value): str(label) for value, label in Challenge.choices}
    networks = {str(value): str(label) for value, label in Network.choices}
    return {
        "brand_identity": (content.get("brand_identity") or "").splitlines(),
        "tone_of_voice": (content.get("tone_of_voice") or "").splitlines(),
        "challenges": [challenges.get(c, c) for c in content.get("challenges", [])],
        "purposes": [
            f"{purposes.get(p['purpose'], p['purpose'])}: {p['aim']}" for p in content.get("purposes", [])
        ],
        "audiences": [
            (f"{a['parent']} > " if a.get("parent") else "")
            + a["name"]
            + (f": {a['description']}" if a.get("description") else "")
            for a in content.get("audiences", [])
        ],
        "channels": [
            f"{c['priority']}. {networks.get(c['network'], c['network'])}"
            + (f": {c['reason']}" if c.get("reason") else "")
            for c in content.get("channels", [])
        ],
        "hashtags": _hashtag_lines(content.get("hashtags") or {}),
    }


def _hashtag_lines(rules: dict[str, Any]) -> list[str]:
    lines = []
    if rules.get("max_per_post") is not None:
        lines.append(_("At most %(n)s per post") % {"n": rules["max_per_post"]})
    if rules.get("required"):
        lines.append(
            _("Required (at least one): %(tags)s") % {"tags": " ".join(f"#{t}" for t in rules["required"])}
        )
    if rules.get("banned"):
        lines.append(_("Banned: %(tags)s") % {"tags": " ".join(f"#{t}" for t in rules["banned"])})
    return lines


@dataclass(frozen=True)
class SectionDiff:
    key: str
    label: str
    lines: list[tuple[str, str]]  # ("added" | "removed" | "same", text)

    @property
    def changed(self) -> bool:
        return any(kind != "same" for kind, _text in self.lines)


def diff_versions(older: StrategyVersion | None, newer: StrategyVersion) -> list[SectionDiff]:
    """Line by line, per section, what `newer` changed compared with `older` (all new without one)."""
    before = _section_lines(older.content if older is not None else {})
    after = _section_lines(newer.content)
    result = []
    for key, label in STRATEGY_SECTIONS.items():
        lines: list[tuple[str, str]] = []
        for line in difflib.ndiff(before[key], after[key]):
            marker, text = line[:2], line[2:]
            if marker == "+ ":
                lines.append(("added", text))
            elif marker == "- ":
                lines.append(("removed", text))
            elif marker == "  ":
                lines.append(("same", text))
        result.append(SectionDiff(key, str(label), lines))
    return result
