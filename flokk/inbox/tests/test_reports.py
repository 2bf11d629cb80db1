"""Response-time figures and ambassador candidates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flokk.inbox.models import Conversation
from flokk.inbox.services.ingest import ingest
from flokk.inbox.services.reports import ambassador_candidates, response_times
from flokk.inbox.services.sla import SlaClock

pytestmark = pytest.mark.django_db


def test_response_times_per_team_count_like_the_policy(demo, account, item) -> None:
    ingest(
        account, [item("Vad kostar det? Offert tack", author="a"), item("Vad kostar det för 5?", author="b")]
    )
    answered, _waiting = Conversation.objects.order_by("pk")
    clock = SlaClock.for_org(demo)
    answered_at = clock.calendar.add(answered.first_message_at, 30)  # 30 minutes of business time later
    Conversation.objects.filter(pk=answered.pk).update(first_responded_at=answered_at)
    now = timezone.now()
    figures = response_times(demo, now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    [sales] = figures["team"]
    assert (sales.label, sales.conversations, sales.answered) == ("Sales", 2, 1)
    assert sales.median_minutes == 30.0
    assert sales.within_target_percent == 100
    assert [row.label for row in figures["network"]] == ["mastodon"]


def test_stored_minutes_count_as_they_are_and_every_conversation_of_the_period_counts(
    demo, account, item
) -> None:
    ingest(account, [item(f"Fråga nummer {n}?", author=f"p{n}") for n in range(30)])
    conversations = list(Conversation.objects.order_by("pk"))
    for minutes, conversation in zip((5.0, 7.0, 90.0), conversations, strict=False):
        Conversation.objects.filter(pk=conversation.pk).update(
            first_responded_at=timezone.now(), first_response_minutes=minutes
        )
    now = timezone.now()
    [row] = response_times(demo, now - dt.timedelta(days=1), now + dt.timedelta(days=1))["network"]
    assert (row.conversations, row.answered, row.median_minutes) == (30, 3, 7.0)


def test_ambassadors_are_the_most_positive_people(demo, account, item) -> None:
    happy = [item(f"Ni är bäst, tack så mycket! ❤️ {n}", author="fan") for n in range(4)]
    mixed = [item("Helt fantastiskt, tack! 😍", author="mixed")] + [
        item(f"Helt värdelöst och dåligt 😡 {n}", author="mixed") for n in range(3)
    ]
    ingest(account, happy + mixed)
    [candidate] = ambassador_candidates(demo)
    assert candidate.contact.handle == "fan@example.social" and candidate.positive == 4
