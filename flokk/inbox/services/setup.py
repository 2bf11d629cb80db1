"""What a team lead changes on the inbox settings pages: options, routing and intent rules, response-time
targets, business hours, holidays and saved replies.

Every function here takes the caller's `Access` and requires `community.manage`, validates its input on its
own (the API and the forms both end here, so a bad value never depends on the form to be caught), writes in
one transaction and appends an audit entry `inbox.settings.<thing>.<verb>`. Refusals are `ValidationError`s
whose messages are meant for people; a dict error is keyed by the input's field names.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from flokk.channels.models import Account
from flokk.core.audit import record
from flokk.inbox.choices import LANGUAGE_CHOICES, AssignStrategy, Intent, Priority, Sentiment, Team
from flokk.inbox.intent import DEFAULT_INTENT_RULES
from flokk.inbox.models import (
    BusinessHours,
    Holiday,
    InboxSettings,
    IntentRuleRow,
    RoutingRule,
    SavedReply,
    SlaPolicy,
)
from flokk.inbox.services.settings import inbox_settings
from flokk.inbox.services.sla import Targets
from flokk.inbox.services.team import people_with
from flokk.teams.permissions import Access

MANAGE = "community.manage"
LANGUAGES = frozenset(code for code, _name in LANGUAGE_CHOICES)
# Plain http only for a receiver on this machine, and only while developing.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
MAX_URL_LENGTH = 200  # InboxSettings.lead_webhook_url
MAX_KEYWORDS_LENGTH = 2000
MAX_KEYWORD_LENGTH = 100
MAX_REPLY_LENGTH = 5000
MAX_ROUTING_RULES = 200
MAX_INTENT_RULES = 200
MAX_SPIKE_FACTOR = 100.0
MAX_SPIKE_MINIMUM = 100_000
MAX_TARGET_MINUTES = 60 * 24 * 365
# The countries whose public holidays can be added in one click (the `holidays` package's codes).
PUBLIC_HOLIDAY_COUNTRIES = ("SE", "DK", "NO")
HOLIDAY_YEARS = range(2000, 2101)


# --- shared checks ---------------------------------------------------------------------------------------


def _require(access: Access) -> None:
    access.require(MANAGE)


def _audit(
    access: Access, action: str, target: Model | None = None, data: dict[str, Any] | None = None
) -> None:
    record(
        f"inbox.settings.{action}",
        organization=access.organization,
        actor=access.user,
        target=target,
        data=data,
    )


def _text(value: str, name: str, *, limit: int, required: bool = False) -> str:
    """`value` stripped; refused when it holds NUL (PostgreSQL cannot store it), is too long or missing."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({name: _("Remove the invisible control characters.")}, code="invalid")
    if len(value) > limit:
        raise ValidationError(
            {name: _("Keep it to %(limit)d characters or fewer.") % {"limit": limit}}, code="too_long"
        )
    if required and not value:
        raise ValidationError({name: _("This cannot be empty.")}, code="required")
    return value


def _choices(values: list[str], allowed: frozenset[str] | list[str], name: str) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValidationError({name: _("Choose from the list.")}, code="invalid_choice")
    return list(dict.fromkeys(values))


def clean_keywords(text: str, name: str = "keywords", *, required: bool = False) -> str:
    """Keywords one per line (commas also split, as the matchers read them), without blanks or repeats."""
    text = _text(text, name, limit=MAX_KEYWORDS_LENGTH, required=required)
    words = [word.strip() for line in text.splitlines() for word in line.split(",") if word.strip()]
    if any(len(word) > MAX_KEYWORD_LENGTH for word in words):
        raise ValidationError(
            {name: _("A keyword can have at most %(limit)d characters.") % {"limit": MAX_KEYWORD_LENGTH}},
            code="too_long",
        )
    if required and not words:
        raise ValidationError({name: _("Enter at least one keyword.")}, code="required")
    return "\n".join(dict.fromkeys(words))


# --- options ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxOptions:
    replies_need_approval: bool
    spike_min_negative: int
    spike_factor: float
    pause_on_spike: bool
    lead_webhook_url: str


def clean_webhook_url(value: str) -> str:
    """An address Flokk may POST leads to: https, or http to this machine while `settings.DEBUG` is on."""
    value = _text(value, "lead_webhook_url", limit=MAX_URL_LENGTH)
    if not value:
        return ""
    invalid = ValidationError(
        {"lead_webhook_url": _("Enter a full address starting with https://.")}, code="invalid"
    )
    if any(char.isspace() or ord(char) < 32 for char in value):
        raise invalid
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise invalid from None
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        raise invalid
    scheme = parts.scheme.lower()
    if scheme == "https":
        return value
    if scheme == "http" and host in LOOPBACK_HOSTS and settings.DEBUG:
        return value
    raise invalid


def update_inbox_options(access: Access, options: InboxOptions) -> InboxSettings:
    """Save the options; the webhook secret and round-robin positions are left as they are."""
    _require(access)
    errors: dict[str, str] = {}
    if not (math.isfinite(options.spike_factor) and 1.0 < options.spike_factor <= MAX_SPIKE_FACTOR):
        errors["spike_factor"] = _("Enter a number above 1 and at most %(limit)d.") % {
            "limit": MAX_SPIKE_FACTOR
        }
    if not 1 <= options.spike_min_negative <= MAX_SPIKE_MINIMUM:
        errors["spike_min_negative"] = _("Enter a whole number from 1 to %(limit)d.") % {
            "limit": MAX_SPIKE_MINIMUM
        }
    if errors:
        raise ValidationError(errors, code="invalid")
    url = clean_webhook_url(options.lead_webhook_url)
    with transaction.atomic():
        row = InboxSettings.objects.select_for_update().get(pk=inbox_settings(access.organization).pk)
        new = {
            "replies_need_approval": options.replies_need_approval,
            "spike_min_negative": options.spike_min_negative,
            "spike_factor": options.spike_factor,
            "pause_on_spike": options.pause_on_spike,
            "lead_webhook_url": url,
        }
        changed = [name for name, value in new.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, new[name])
        if changed:
            row.save(update_fields=changed)
            # The address can carry a token of the receiving service: the log says only that it changed.
            _audit(
                access,
                "options.updated",
                row,
                {name: new[name] if name != "lead_webhook_url" else bool(url) for name in changed},
            )
    return row


def generate_lead_webhook_secret(access: Access) -> str:
    """Replace the secret that signs lead webhooks; returns it in clear, for the caller to show once."""
    _require(access)
    secret = secrets.token_hex(32)
    with transaction.atomic():
        row = InboxSettings.objects.select_for_update().get(pk=inbox_settings(access.organization).pk)
        row.lead_webhook_secret = secret
        row.save(update_fields=["lead_webhook_secret"])
        _audit(access, "webhook_secret.generated", row)
    return secret


# --- routing rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingRuleInput:
    name: str
    team: str
    account_id: uuid.UUID | None = None
    intents: list[str] = field(default_factory=list)
    sentiments: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    keywords: str = ""
    assignee_id: uuid.UUID | None = None
    strategy: str = AssignStrategy.ROUND_ROBIN
    priority: str = ""
    is_active: bool = True


def _clean_routing_rule(access: Access, data: RoutingRuleInput) -> dict[str, Any]:
    organization = access.organization
    account = None
    if data.account_id is not None:
        account = Account.objects.for_org(organization).filter(pk=data.account_id).first()
        if account is None:
            raise ValidationError(
                {"account": _("Choose one of the organization's accounts.")}, code="invalid"
            )
    assignee = None
    if data.assignee_id is not None:
        assignee = next(
            (p for p in people_with(organization, "community.work") if p.pk == data.assignee_id), None
        )
        if assignee is None:
            raise ValidationError(
                {"assignee": _("Choose someone who can work in community & care.")}, code="invalid"
            )
    if data.team not in Team.values:
        raise ValidationError({"team": _("Choose from the list.")}, code="invalid_choice")
    if data.strategy not in AssignStrategy.values:
        raise ValidationError({"strategy": _("Choose from the list.")}, code="invalid_choice")
    if data.priority and data.priority not in Priority.values:
        raise ValidationError({"priority": _("Choose from the list.")}, code="invalid_choice")
    return {
        "name": _text(data.name, "name", limit=100, required=True),
        "is_active": data.is_active,
        "account": account,
        "intents": _choices(data.intents, Intent.values, "intents"),
        "sentiments": _choices(data.sentiments, Sentiment.values, "sentiments"),
        "languages": _choices(data.languages, LANGUAGES, "languages"),
        "keywords": clean_keywords(data.keywords),
        "team": data.team,
        "assignee": assignee,
        "strategy": data.strategy,
        "priority": data.priority,
    }


def _rule_summary(rule: RoutingRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "active": rule.is_active,
        "account": str(rule.account_id or ""),
        "intents": rule.intents,
        "sentiments": rule.sentiments,
        "languages": rule.languages,
        "keywords": rule.keywords,
        "team": rule.team,
        "assignee": str(rule.assignee_id or ""),
        "strategy": rule.strategy,
        "priority": rule.priority,
    }


def create_routing_rule(access: Access, data: RoutingRuleInput) -> RoutingRule:
    """Add a rule after the existing ones (rules are tried in order; the first that matches wins)."""
    _require(access)
    values = _clean_routing_rule(access, data)
    with transaction.atomic():
        rules = RoutingRule.objects.select_for_update().filter(organization=access.organization)
        if rules.count() >= MAX_ROUTING_RULES:
            raise ValidationError(
                _("An inbox can have at most %(limit)d routing rules.") % {"limit": MAX_ROUTING_RULES}
            )
        last = rules.aggregate(last=Max("position"))["last"]
        rule = RoutingRule.objects.create(
            organization=access.organization, position=0 if last is None else last + 1, **values
        )
        _audit(access, "routing_rule.created", rule, _rule_summary(rule))
    return rule


def update_routing_rule(access: Access, rule: RoutingRule, data: RoutingRuleInput) -> RoutingRule:
    _require(access)
    _same_organization(access, rule)
    values = _clean_routing_rule(access, data)
    with transaction.atomic():
        for name, value in values.items():
            setattr(rule, name, value)
        rule.save(update_fields=[*values, "updated_at"])
        _audit(access, "routing_rule.updated", rule, _rule_summary(rule))
    return rule


def delete_routing_rule(access: Access, rule: RoutingRule) -> None:
    _require(access)
    _same_organization(access, rule)
    with transaction.atomic():
        _audit(access, "routing_rule.deleted", rule, _rule_summary(rule))
        rule.delete()


def move_routing_rule(access: Access, rule: RoutingRule, direction: str) -> None:
    """Swap the rule with the one before ("up") or after ("down") it; at either end nothing changes."""
    _require(access)
    _same_organization(access, rule)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a rule up or down."), code="invalid")
    with transaction.atomic():
        ordered = list(RoutingRule.objects.select_for_update().filter(organization=access.organization))
        index = next((i for i, other in enumerate(ordered) if other.pk == rule.pk), None)
        if index is None:
            return
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        # Renumbering all of them also repairs equal positions left by older data.
        for position, each in enumerate(ordered):
            each.position = position
        RoutingRule.objects.bulk_update(ordered, ["position"])
        _audit(
            access, "routing_rule.moved", rule, {"direction": direction, "position": ordered.index(rule) + 1}
        )


def _same_organization(access: Access, row: Any) -> None:
    """Views look rows up by organization already; this keeps a service call from crossing tenants."""
    if row.organization_id != access.organization.pk:
        raise ValidationError(_("This belongs to another organization."), code="invalid")


# --- intent rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntentRuleInput:
    intent: str
    keywords: str
    language: str = ""


def _clean_intent_rule(data: IntentRuleInput) -> dict[str, str]:
    if data.intent not in Intent.values:
        raise ValidationError({"intent": _("Choose from the list.")}, code="invalid_choice")
    if data.language and data.language not in LANGUAGES:
        raise ValidationError({"language": _("Choose from the list.")}, code="invalid_choice")
    return {
        "intent": data.intent,
        "language": data.language,
        "keywords": clean_keywords(data.keywords, required=True),
    }


def customize_intent_rules(access: Access) -> int:
    """Copy the built-in intent rules into the organization's own rows, once; returns how many were made.

    From then on the organization's rows are the rules (`services.analysis.intent_rules_for`).
    """
    _require(access)
    with transaction.atomic():
        # Lock the settings row so two clicks at once do not copy the defaults twice.
        InboxSettings.objects.select_for_update().get(pk=inbox_settings(access.organization).pk)
        if IntentRuleRow.objects.filter(organization=access.organization).exists():
            return 0
        rows = IntentRuleRow.objects.bulk_create(
            IntentRuleRow(
                organization=access.organization,
                intent=rule.intent,
                language=rule.language,
                keywords="\n".join(rule.keywords),
            )
            for rule in DEFAULT_INTENT_RULES
        )
        _audit(access, "intent_rules.customized", data={"rules": len(rows)})
    return len(rows)


def create_intent_rule(access: Access, data: IntentRuleInput) -> IntentRuleRow:
    _require(access)
    values = _clean_intent_rule(data)
    with transaction.atomic():
        existing = IntentRuleRow.objects.filter(organization=access.organization).count()
        if not existing:
            # One row alone would silently replace every built-in rule.
            raise ValidationError(_("Customize the rules first: that copies the built-in ones to edit."))
        if existing >= MAX_INTENT_RULES:
            raise ValidationError(
                _("An inbox can have at most %(limit)d intent rules.") % {"limit": MAX_INTENT_RULES}
            )
        row = IntentRuleRow.objects.create(organization=access.organization, **values)
        _audit(access, "intent_rule.created", row, values)
    return row


def update_intent_rule(access: Access, row: IntentRuleRow, data: IntentRuleInput) -> IntentRuleRow:
    _require(access)
    _same_organization(access, row)
    values = _clean_intent_rule(data)
    with transaction.atomic():
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=[*values, "updated_at"])
        _audit(access, "intent_rule.updated", row, values)
    return row


def delete_intent_rule(access: Access, row: IntentRuleRow) -> None:
    """Delete one rule. Deleting the last one brings the built-in rules back, as `restore_...` does."""
    _require(access)
    _same_organization(access, row)
    with transaction.atomic():
        _audit(access, "intent_rule.deleted", row, {"intent": row.intent, "language": row.language})
        row.delete()


def restore_default_intent_rules(access: Access) -> int:
    """Delete the organization's intent rules, so the built-in ones apply again; returns how many went."""
    _require(access)
    with transaction.atomic():
        deleted, _by_model = IntentRuleRow.objects.filter(organization=access.organization).delete()
        _audit(access, "intent_rules.restored", data={"deleted": deleted})
    return deleted


# --- response-time targets, hours, holidays --------------------------------------------------------------


def save_response_targets(access: Access, targets: dict[str, Targets]) -> None:
    """Set the targets of every priority given (each one's row is made on first save)."""
    _require(access)
    errors: dict[str, str] = {}
    for priority, target in targets.items():
        label = Priority(priority).label if priority in Priority.values else priority
        if priority not in Priority.values:
            errors[priority] = _("Unknown priority.")
        elif not (1 <= target.first_response_minutes <= MAX_TARGET_MINUTES):
            errors[priority] = _("%(priority)s: enter the first response time in minutes.") % {
                "priority": label
            }
        elif not (target.first_response_minutes <= target.resolution_minutes <= MAX_TARGET_MINUTES):
            errors[priority] = _(
                "%(priority)s: the time to resolve cannot be shorter than the time to first response."
            ) % {"priority": label}
        elif not 1 <= target.warn_at_percent <= 100:
            errors[priority] = _("%(priority)s: warn at a share from 1 to 100 %%.") % {"priority": label}
    if errors:
        raise ValidationError(list(errors.values()), code="invalid")
    with transaction.atomic():
        changed: dict[str, dict[str, Any]] = {}
        for priority, target in targets.items():
            values = {
                "first_response_minutes": target.first_response_minutes,
                "resolution_minutes": target.resolution_minutes,
                "business_hours_only": target.business_hours_only,
                "warn_at_percent": target.warn_at_percent,
            }
            policy = SlaPolicy.objects.filter(organization=access.organization, priority=priority).first()
            if policy is not None and all(getattr(policy, name) == value for name, value in values.items()):
                continue
            SlaPolicy.objects.update_or_create(
                organization=access.organization, priority=priority, defaults=values
            )
            changed[priority] = values
        if changed:
            _audit(access, "sla.updated", data=changed)


def save_business_hours(access: Access, hours: dict[int, tuple[dt.time, dt.time] | None]) -> None:
    """Set the opening hours of all seven weekdays (0 = Monday); None is closed. One day must be open:
    with no rows at all the SLA clock falls back to the default hours."""
    _require(access)
    if set(hours) != set(range(7)):
        raise ValidationError(_("Give the hours of every weekday."), code="invalid")
    errors = [
        _("%(day)s: the closing time must be after the opening time.") % {"day": weekday_name(day)}
        for day, times in sorted(hours.items())
        if times is not None and not times[0] < times[1]
    ]
    if errors:
        raise ValidationError(errors, code="invalid")
    if all(times is None for times in hours.values()):
        raise ValidationError(_("Open on at least one day of the week."), code="invalid")
    with transaction.atomic():
        BusinessHours.objects.filter(organization=access.organization).delete()
        BusinessHours.objects.bulk_create(
            BusinessHours(organization=access.organization, weekday=day, opens=times[0], closes=times[1])
            for day, times in sorted(hours.items())
            if times is not None
        )
        _audit(
            access,
            "hours.updated",
            data={
                str(day): f"{times[0]:%H:%M}-{times[1]:%H:%M}" if times else "closed"
                for day, times in sorted(hours.items())
            },
        )


def weekday_name(day: int) -> str:
    return str(WEEKDAYS[day])


def add_holiday(access: Access, *, date: dt.date, name: str) -> Holiday:
    _require(access)
    name = _text(name, "name", limit=100, required=True)
    with transaction.atomic():
        if Holiday.objects.filter(organization=access.organization, date=date).exists():
            raise ValidationError({"date": _("That day is already a holiday.")}, code="duplicate")
        holiday = Holiday.objects.create(organization=access.organization, date=date, name=name)
        _audit(access, "holiday.created", holiday, {"date": date.isoformat(), "name": name})
    return holiday


def delete_holiday(access: Access, holiday: Holiday) -> None:
    _require(access)
    _same_organization(access, holiday)
    with transaction.atomic():
        _audit(access, "holiday.deleted", holiday, {"date": holiday.date.isoformat(), "name": holiday.name})
        holiday.delete()


def public_holidays(country: str, year: int) -> list[tuple[dt.date, str]]:
    """The country's public holidays in the year, named in the country's language (computed offline)."""
    import holidays  # imported here: only this page needs the package's tables

    calendar = holidays.country_holidays(country, years=year)
    return sorted((day, name[:100]) for day, name in calendar.items())


def add_public_holidays(access: Access, *, country: str, year: int) -> int:
    """Add the public holidays of Sweden, Denmark or Norway for `year`; days already listed are kept as
    they are. Returns how many were added."""
    _require(access)
    if country not in PUBLIC_HOLIDAY_COUNTRIES:
        raise ValidationError({"country": _("Choose from the list.")}, code="invalid_choice")
    if year not in HOLIDAY_YEARS:
        raise ValidationError(
            {
                "year": _("Enter a year from %(first)d to %(last)d.")
                % {"first": HOLIDAY_YEARS[0], "last": HOLIDAY_YEARS[-1]}
            },
            code="invalid",
        )
    with transaction.atomic():
        taken = set(
            Holiday.objects.filter(organization=access.organization, date__year=year).values_list(
                "date", flat=True
            )
        )
        new = [
            Holiday(organization=access.organization, date=day, name=name)
            for day, name in public_holidays(country, year)
            if day not in taken
        ]
        Holiday.objects.bulk_create(new)
        _audit(access, "holidays.imported", data={"country": country, "year": year, "added": len(new)})
    return len(new)


# --- saved replies ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedReplyInput:
    title: str
    text_en: str = ""
    text_sv: str = ""
    text_da: str = ""
    text_nb: str = ""
    is_holding_statement: bool = False


REPLY_TEXTS = ("text_en", "text_sv", "text_da", "text_nb")


def _clean_saved_reply(data: SavedReplyInput) -> dict[str, Any]:
    values: dict[str, Any] = {"title": _text(data.title, "title", limit=100, required=True)}
    for name in REPLY_TEXTS:
        values[name] = _text(getattr(data, name), name, limit=MAX_REPLY_LENGTH)
    if not any(values[name] for name in REPLY_TEXTS):
        raise ValidationError(_("Write the reply in at least one language."), code="required")
    values["is_holding_statement"] = data.is_holding_statement
    return values


def _reply_summary(reply: SavedReply) -> dict[str, Any]:
    return {
        "title": reply.title,
        "languages": [name.removeprefix("text_") for name in REPLY_TEXTS if getattr(reply, name)],
        "holding_statement": reply.is_holding_statement,
    }


def create_saved_reply(access: Access, data: SavedReplyInput) -> SavedReply:
    _require(access)
    values = _clean_saved_reply(data)
    with transaction.atomic():
        reply = SavedReply.objects.create(organization=access.organization, created_by=access.user, **values)
        _audit(access, "saved_reply.created", reply, _reply_summary(reply))
    return reply


def update_saved_reply(access: Access, reply: SavedReply, data: SavedReplyInput) -> SavedReply:
    _require(access)
    _same_organization(access, reply)
    values = _clean_saved_reply(data)
    with transaction.atomic():
        for name, value in values.items():
            setattr(reply, name, value)
        reply.save(update_fields=[*values, "updated_at"])
        _audit(access, "saved_reply.updated", reply, _reply_summary(reply))
    return reply


def delete_saved_reply(access: Access, reply: SavedReply) -> None:
    _require(access)
    _same_organization(access, reply)
    with transaction.atomic():
        _audit(access, "saved_reply.deleted", reply, _reply_summary(reply))
        reply.delete()
