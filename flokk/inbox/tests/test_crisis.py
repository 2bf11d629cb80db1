"""Crisis: spikes against the account's own baseline, crisis mode pausing publishing, a logged lift."""

from __future__ import annotations

import pytest

from flokk.core.models import AuditEntry, Notification
from flokk.inbox.models import CrisisAlert, InboxSettings
from flokk.inbox.services.crisis import active_crisis, add_decision, detect_spikes, lift_crisis, start_crisis
from flokk.inbox.services.ingest import ingest
from flokk.publishing.services.pause import active_pause
from flokk.teams.permissions import resolve_access

pytestmark = pytest.mark.django_db
ANGRY = "Helt forferdelig service, jeg er sint og skuffet 😡 nummer {n}"


def test_a_spike_of_negative_messages_alerts_the_communications_lead(
    demo, member, account, item, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ingest(account, [item(ANGRY.format(n=n), author=f"a{n}", minutes_ago=20) for n in range(12)])
        [alert] = detect_spikes()
    assert (alert.account, alert.negative_count) == (account, 12)
    for role in ("communications-lead", "social-media-manager"):
        assert Notification.objects.filter(recipient=member(role), action="inbox.crisis.spike").exists()
    assert detect_spikes() == []  # once per hour
    assert active_pause(demo) is None  # alerts; the team decides


def test_a_busy_account_needs_more_than_its_usual_number(demo, account, item) -> None:
    old = [item(ANGRY.format(n=n), author=f"o{n}", minutes_ago=60 * 24 * 2 + n) for n in range(7 * 24 * 5)]
    ingest(account, old)  # five negative messages an hour, every hour for a week
    ingest(account, [item(ANGRY.format(n=n), author=f"n{n}", minutes_ago=10) for n in range(12)])
    assert detect_spikes() == []  # 12 < 3 * 5
    ingest(account, [item(ANGRY.format(n=n), author=f"m{n}", minutes_ago=5) for n in range(4)])
    assert len(detect_spikes()) == 1  # 16 >= 15


def test_below_the_minimum_is_no_spike(demo, account, item) -> None:
    InboxSettings.objects.update_or_create(organization=demo, defaults={"spike_min_negative": 20})
    ingest(account, [item(ANGRY.format(n=n), author=f"a{n}") for n in range(12)])
    assert detect_spikes() == []


def test_a_spike_can_pause_publishing_by_itself_when_the_organization_wants(demo, account, item) -> None:
    InboxSettings.objects.update_or_create(organization=demo, defaults={"pause_on_spike": True})
    ingest(account, [item(ANGRY.format(n=n), author=f"a{n}") for n in range(12)])
    detect_spikes()
    assert active_pause(demo).automatic
    assert active_crisis(demo).alert == CrisisAlert.objects.get()


def test_crisis_mode_pauses_publishing_and_lifting_it_is_logged(demo, member) -> None:
    lead = resolve_access(member("communications-lead"), demo)
    manager = resolve_access(member("community-manager"), demo)
    crisis = start_crisis(manager, demo, reason="Recall in the news")
    assert active_pause(demo).reason == "Recall in the news"
    add_decision(lead, crisis, "Statement at 14:00, no posts until then")
    lift_crisis(manager, crisis)
    assert active_pause(demo) is None
    texts = list(crisis.events.values_list("text", flat=True))
    assert texts[1] == "Statement at 14:00, no posts until then"
    assert len(texts) == 3
    actions = set(AuditEntry.objects.filter(organization=demo).values_list("action", flat=True))
    assert {"inbox.crisis.started", "inbox.crisis.lifted", "publishing.organization.paused"} <= actions


def test_only_people_who_may_pause_can_switch_crisis_mode(demo, member) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_crisis(resolve_access(member("copywriter"), demo), demo, reason="No")
    assert active_pause(demo) is None
