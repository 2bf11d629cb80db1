"""Who answers a new conversation: the team's routing rules, then sensible defaults by intent.

A `Router` is built once per ingest batch (rules, team members, current loads) and decides in memory.
Team members are the holders of the team's built-in roles; when nobody holds them, the people Responsible
for community & care in the responsibility matrix. Within a team, round-robin (the position is kept per
organization) or the person with the fewest open conversations.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass

from flokk.inbox.choices import OPEN_STATUSES, TEAM_ROLES, AssignStrategy, Intent, Priority, Sentiment, Team
from flokk.inbox.models import Conversation, InboxSettings, RoutingRule
from flokk.teams.choices import Area, Raci
from flokk.teams.models import Membership, Organization, ResponsibilityAssignment

DEFAULT_TEAM = {
    Intent.LEAD: Team.SALES,
    Intent.COMPLAINT: Team.CARE,
    Intent.QUESTION: Team.SUPPORT,
}


@dataclass(frozen=True)
class Route:
    team: str
    assignee_id: uuid.UUID | None
    priority: str


def default_priority(intent: str, sentiment: str) -> str:
    if intent == Intent.ABUSE or (intent == Intent.COMPLAINT and sentiment == Sentiment.NEGATIVE):
        return Priority.HIGH
    if intent == Intent.SPAM:
        return Priority.LOW
    return Priority.NORMAL


def split_keywords(text: str) -> list[str]:
    return [word.strip() for word in re.split(r"[,\n]", text) if word.strip()]


def _keyword_pattern(text: str) -> re.Pattern[str] | None:
    words = split_keywords(text)
    if not words:
        return None
    # As in the intent rules: a trailing * matches any ending ("återkall*").
    parts = [re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word) for word in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


class Router:
    def __init__(self, organization: Organization, settings: InboxSettings) -> None:
        self.organization = organization
        self.settings = settings
        self.rules = [
            (rule, _keyword_pattern(rule.keywords))
            for rule in RoutingRule.objects.filter(organization=organization, is_active=True)
        ]
        self._members: dict[str, list[uuid.UUID]] = {}
        self._load: Counter[uuid.UUID] | None = None
        self.positions_changed = False

    def _rule_for(self, account_id: uuid.UUID, intent: str, sentiment: str, language: str, text: str):  # type: ignore[no-untyped-def]
        for rule, keywords in self.rules:
            if rule.account_id and rule.account_id != account_id:
                continue
            if rule.intents and intent not in rule.intents:
                continue
            if rule.sentiments and sentiment not in rule.sentiments:
                continue
            if rule.languages and language not in rule.languages:
                continue
            if keywords is not None and not keywords.search(text):
                continue
            return rule
        return None

    def route(self, *, account_id: uuid.UUID, intent: str, sentiment: str, language: str, text: str) -> Route:
        rule = self._rule_for(account_id, intent, sentiment, language, text)
        priority = (rule.priority if rule else "") or default_priority(intent, sentiment)
        if rule is not None and rule.assignee_id:
            return Route(rule.team, rule.assignee_id, priority)
        team = rule.team if rule is not None else DEFAULT_TEAM.get(intent, Team.COMMUNITY)  # type: ignore[call-overload]
        strategy = rule.strategy if rule is not None else AssignStrategy.ROUND_ROBIN
        return Route(team, self._pick(team, strategy), priority)

    def members(self, team: str) -> list[uuid.UUID]:
        if team not in self._members:
            self._members[team] = team_members(self.organization, team)
        return self._members[team]

    def _pick(self, team: str, strategy: str) -> uuid.UUID | None:
        members = self.members(team)
        if not members:
            return None
        if strategy == AssignStrategy.LEAST_LOADED:
            load = self._loads()
            chosen = min(members, key=lambda user_id: (load[user_id], members.index(user_id)))
        else:
            position = int(self.settings.round_robin_position.get(team, -1)) + 1
            chosen = members[position % len(members)]
            self.settings.round_robin_position[team] = position % len(members)
            self.positions_changed = True
        if self._load is not None:
            self._load[chosen] += 1
        return chosen

    def _loads(self) -> Counter[uuid.UUID]:
        if self._load is None:
            open_by_person = (
                Conversation.objects.filter(
                    organization=self.organization, status__in=OPEN_STATUSES, assignee__isnull=False
                )
                .values_list("assignee_id")
                .order_by()
            )
            self._load = Counter(user_id for (user_id,) in open_by_person)
        return self._load

    def save_positions(self) -> None:
        if self.positions_changed:
            InboxSettings.objects.filter(pk=self.settings.pk).update(
                round_robin_position=self.settings.round_robin_position
            )


def team_members(organization: Organization, team: str) -> list[uuid.UUID]:
    """The user ids of the team, in a stable order (round-robin depends on it)."""
    members = (
        Membership.objects.active()
        .filter(organization=organization, roles__key__in=TEAM_ROLES.get(team, ()))
        .order_by("created_at")
        .values_list("user_id", flat=True)
        .distinct()
    )
    found = list(dict.fromkeys(members))
    if found:
        return found
    responsible = ResponsibilityAssignment.objects.filter(
        organization=organization, area=Area.COMMUNITY, part=Raci.RESPONSIBLE, membership__is_active=True
    ).order_by("created_at")
    return list(dict.fromkeys(responsible.values_list("membership__user_id", flat=True)))
