"""Numbers for the team: response times per team, person and network; ambassador candidates."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from flokk.inbox.choices import Direction, Sentiment, Team
from flokk.inbox.models import Contact, Conversation, Message
from flokk.inbox.services.sla import SlaClock
from flokk.teams.models import Organization, User

ROWS_AT_ONCE = 5_000


@dataclass(frozen=True)
class ResponseRow:
    label: str
    conversations: int
    answered: int
    median_minutes: float | None
    within_target: int
    breached: int

    @property
    def within_target_percent(self) -> int | None:
        return round(100 * self.within_target / self.answered) if self.answered else None


def response_times(
    organization: Organization, since: dt.datetime, until: dt.datetime
) -> dict[str, list[ResponseRow]]:
    """First-response figures for conversations that started in [since, until), by team, person, network.

    Times count as the SLA policy of each conversation's priority counts them (business hours or clock):
    stored when the first answer is sent, worked out here only for conversations answered before that was
    stored. Every conversation of the period counts.
    """
    clock = SlaClock.for_org(organization)
    rows = (
        Conversation.objects.filter(organization=organization)
        .filter(first_message_at__gte=since, first_message_at__lt=until)
        .values_list(
            "team", "assignee_id", "account__network", "first_response_minutes", "priority",
            "first_message_at", "first_responded_at", "first_response_due_at", "sla_breached_at",
        )
        .order_by()
        .iterator(ROWS_AT_ONCE)
    )  # fmt: skip
    groups: dict[str, dict[str, list[tuple[float | None, bool, bool]]]] = {
        "team": defaultdict(list), "person": defaultdict(list), "network": defaultdict(list),
    }  # fmt: skip
    for team, assignee, network, minutes, priority, first_at, answered_at, due, breached in rows:
        within = False
        if answered_at is not None:
            if minutes is None:
                minutes = clock.response_time(priority, first_at, answered_at).total_seconds() / 60
            within = due is None or answered_at <= due
        else:
            minutes = None
        sample = (minutes, within, breached is not None)
        groups["team"][team or "-"].append(sample)
        groups["person"][str(assignee or "-")].append(sample)
        groups["network"][network].append(sample)
    names = {
        str(user.pk): user.name or user.email
        for user in User.objects.filter(pk__in=[k for k in groups["person"] if k != "-"])
    }
    result: dict[str, list[ResponseRow]] = {}
    for dimension, by_key in groups.items():
        result[dimension] = sorted(
            (_row(_label(dimension, key, names), samples) for key, samples in by_key.items()),
            key=lambda row: row.label,
        )
    return result


def _label(dimension: str, key: str, names: dict[str, str]) -> str:
    """What a row is called on the page: a person's name, a team's name, or the network."""
    if dimension == "person":
        return names.get(key, "—")
    if dimension == "team":
        return str(Team(key).label) if key in Team.values else "—"
    return key


def _row(label: str, samples: list[tuple[float | None, bool, bool]]) -> ResponseRow:
    answered = [minutes for minutes, _within, _breached in samples if minutes is not None]
    return ResponseRow(
        label=label,
        conversations=len(samples),
        answered=len(answered),
        median_minutes=round(statistics.median(answered), 1) if answered else None,
        within_target=sum(1 for minutes, within, _b in samples if minutes is not None and within),
        breached=sum(1 for _m, _w, breached in samples if breached),
    )


@dataclass(frozen=True)
class Ambassador:
    contact: Contact
    positive: int
    messages: int
    last_at: dt.datetime


def ambassador_candidates(
    organization: Organization, *, days: int = 90, limit: int = 50, minimum: int = 3
) -> list[Ambassador]:
    """The most engaged, positive people of the last `days`: at least `minimum` positive messages, and more
    positive than negative ones."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    rows = (
        Message.objects.filter(
            organization=organization,
            direction=Direction.INBOUND,
            received_at__gte=since,
            contact__isnull=False,
        )
        .values("contact_id")
        .annotate(
            positive=Count("pk", filter=Q(sentiment=Sentiment.POSITIVE)),
            negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)),
            messages=Count("pk"),
            last_at=Max("received_at"),
        )
        .filter(positive__gte=minimum)
        .order_by("-positive", "-messages")[: limit * 2]
    )
    picked = [row for row in rows if row["positive"] > row["negative"]][:limit]
    contacts = Contact.objects.in_bulk([row["contact_id"] for row in picked])
    return [
        Ambassador(contacts[row["contact_id"]], row["positive"], row["messages"], row["last_at"])
        for row in picked
        if row["contact_id"] in contacts
    ]
