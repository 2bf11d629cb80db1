"""The SLA timers' ticks: warn before a target is missed, escalate when it is.

Run every minute by the worker. A warning goes to the assignee (or the team, when nobody has it) once the
policy's share of the time has passed; a breach is stamped once, raises the priority to at least high and
tells the people who manage community & care as well as the assignee.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from flokk.core.notifications import notify
from flokk.inbox.choices import OPEN_STATUSES, PRIORITY_RANK, Priority
from flokk.inbox.models import Conversation
from flokk.inbox.services.routing import team_members
from flokk.inbox.services.sla import SlaClock
from flokk.inbox.services.team import people_with
from flokk.teams.models import Organization, User

LOOKAHEAD = dt.timedelta(days=3)
MAX_PER_TICK = 5000


def _unanswered_due(before: dt.datetime) -> Q:
    return Q(first_responded_at__isnull=True, first_response_due_at__lte=before) | Q(
        resolution_due_at__lte=before
    )


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    open_ones = Conversation.objects.filter(status__in=OPEN_STATUSES).select_related("organization")
    warned = _warn(open_ones.filter(_unanswered_due(now + LOOKAHEAD), sla_warned_at__isnull=True), now)
    breached = _breach(open_ones.filter(_unanswered_due(now), sla_breached_at__isnull=True), now)
    return {"warned": warned, "breached": breached}


def _next_due(conversation: Conversation) -> dt.datetime | None:
    if conversation.first_responded_at is None and conversation.first_response_due_at is not None:
        return conversation.first_response_due_at
    return conversation.resolution_due_at


def _warn(candidates, now: dt.datetime) -> int:  # type: ignore[no-untyped-def]
    clocks: dict[object, SlaClock] = {}
    due_soon: list[Conversation] = []
    for conversation in candidates.order_by("first_response_due_at")[:MAX_PER_TICK]:
        due = _next_due(conversation)
        if due is None:
            continue
        clock = clocks.setdefault(conversation.organization_id, SlaClock.for_org(conversation.organization))
        if now >= clock.warn_at(conversation.priority, conversation.first_message_at, due):
            due_soon.append(conversation)
    Conversation.objects.filter(pk__in=[c.pk for c in due_soon]).update(sla_warned_at=now)
    _tell(due_soon, "inbox.sla.warning", lambda n: ngettext(
        "%(count)d conversation is close to its response-time target.",
        "%(count)d conversations are close to their response-time target.", n) % {"count": n},
        managers=False)  # fmt: skip
    return len(due_soon)


def _breach(candidates, now: dt.datetime) -> int:  # type: ignore[no-untyped-def]
    breached = list(candidates[:MAX_PER_TICK])
    for conversation in breached:
        raise_to = conversation.priority
        if PRIORITY_RANK[conversation.priority] < PRIORITY_RANK[Priority.HIGH]:
            raise_to = Priority.HIGH
        Conversation.objects.filter(pk=conversation.pk).update(sla_breached_at=now, priority=raise_to)
    _tell(breached, "inbox.sla.breached", lambda n: ngettext(
        "%(count)d conversation missed its response-time target and was escalated.",
        "%(count)d conversations missed their response-time target and were escalated.", n) % {"count": n},
        managers=True)  # fmt: skip
    return len(breached)


def _tell(conversations: list[Conversation], action: str, message, *, managers: bool) -> None:  # type: ignore[no-untyped-def]
    by_org: dict[Organization, dict[object, int]] = defaultdict(lambda: defaultdict(int))
    for conversation in conversations:
        people = (
            [conversation.assignee_id]
            if conversation.assignee_id
            else team_members(conversation.organization, conversation.team)
        )
        for person in people:
            by_org[conversation.organization][person] += 1
        if managers:
            for manager in people_with(conversation.organization, "community.manage"):
                by_org[conversation.organization][manager.pk] += 1
    for organization, counts in by_org.items():
        url = reverse("inbox:index", args=[organization.slug]) + "?sla=due"
        for recipient in User.objects.filter(pk__in=list(counts)):
            notify(
                [recipient],
                organization=organization,
                action=action,
                message=partial(message, counts[recipient.pk]),
                url=url,
            )
