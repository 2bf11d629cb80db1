"""Crisis: noticing a spike of negative messages, crisis mode (publishing paused) and its timeline.

A spike is measured per account against its own history: negative inbound messages in the last hour, compared
with its average per hour over the previous seven days. It must reach both `spike_min_negative` and
`spike_factor` times the baseline (the organization's settings), so a quiet account does not alarm on three
complaints and a busy one does not alarm on an ordinary evening. One alert per account per hour.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from flokk.channels.models import Account
from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.core.notifications import notify
from flokk.inbox.choices import Direction, Sentiment
from flokk.inbox.models import Crisis, CrisisAlert, CrisisEvent, Message
from flokk.inbox.services.settings import inbox_settings
from flokk.inbox.services.team import people_in_roles
from flokk.publishing.services.pause import active_pause, pause_publishing, resume_publishing
from flokk.teams.models import Organization
from flokk.teams.permissions import Access

logger = logging.getLogger(__name__)
WINDOW = dt.timedelta(hours=1)
BASELINE = dt.timedelta(days=7)
ALERTED_ROLES = ("communications-lead", "social-media-manager")
SPIKE_MESSAGE = gettext_noop(
    "%(count)d negative messages to %(account)s in the past hour (usually %(usual).1f an hour)."
)


def active_crisis(organization: Organization) -> Crisis | None:
    return Crisis.objects.filter(organization=organization, ended_at__isnull=True).first()


def _negative_counts(since: dt.datetime, until: dt.datetime) -> dict[object, int]:
    rows = (
        Message.objects.filter(
            direction=Direction.INBOUND,
            sentiment=Sentiment.NEGATIVE,
            received_at__gte=since,
            received_at__lt=until,
        )
        .values("account_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["account_id"]: row["count"] for row in rows}


def detect_spikes(now: dt.datetime | None = None) -> list[CrisisAlert]:
    """Raise an alert for every account with a spike now; returns the new alerts."""
    now = now or timezone.now()
    recent = _negative_counts(now - WINDOW, now)
    if not recent:
        return []
    history = _negative_counts(now - WINDOW - BASELINE, now - WINDOW)
    alerts = []
    accounts = Account.objects.filter(pk__in=list(recent)).select_related("organization")
    for account in accounts:
        settings = inbox_settings(account.organization)
        count = recent[account.pk]
        baseline = history.get(account.pk, 0) / (BASELINE / WINDOW)
        if count < settings.spike_min_negative or count < settings.spike_factor * baseline:
            continue
        if CrisisAlert.objects.filter(account=account, created_at__gte=now - WINDOW).exists():
            continue
        alerts.append(_alert(account, count, baseline, now, settings.pause_on_spike))
    return alerts


def _alert(account: Account, count: int, baseline: float, now: dt.datetime, pause: bool) -> CrisisAlert:
    organization = account.organization
    with transaction.atomic():
        alert = CrisisAlert.objects.create(
            organization=organization,
            account=account,
            window_start=now - WINDOW,
            window_end=now,
            negative_count=count,
            baseline_per_hour=round(baseline, 2),
        )
        record(
            "inbox.crisis.spike",
            organization=organization,
            actor=None,
            target=alert,
            data={"account": account.handle, "negative": count, "baseline_per_hour": round(baseline, 2)},
        )
        label = str(account)
        notify(
            people_in_roles(organization, ALERTED_ROLES),
            organization=organization,
            action="inbox.crisis.spike",
            message=lambda: _(SPIKE_MESSAGE) % {"count": count, "account": label, "usual": baseline},
            url=reverse("inbox:crisis", args=[organization.slug]),
        )
    if pause and active_pause(organization) is None:
        with contextlib.suppress(Conflict):
            start_crisis(
                None,
                organization,
                reason=_("Spike of negative messages to %(account)s") % {"account": label},
                alert=alert,
            )
    return alert


def start_crisis(
    access: Access | None,
    organization: Organization,
    *,
    reason: str,
    alert: CrisisAlert | None = None,
) -> Crisis:
    """Crisis mode: pause scheduled publishing and open the crisis room. `access` None = automatic."""
    if access is not None:
        access.require("publishing.pause")
    reason = reason.strip()[:500] or _("Crisis")
    actor = access.user if access else None
    try:
        with transaction.atomic():
            crisis = Crisis.objects.create(
                organization=organization, reason=reason, alert=alert, started_by=actor
            )
            if active_pause(organization) is None:
                pause_publishing(organization, reason=reason, actor=actor, automatic=access is None)
            CrisisEvent.objects.create(
                crisis=crisis, author=actor, text=_("Crisis mode on; scheduled publishing paused.")
            )
            record(
                "inbox.crisis.started",
                organization=organization,
                actor=actor,
                target=crisis,
                data={"reason": reason},
            )
    except IntegrityError:
        raise Conflict(_("Crisis mode is already on."), "already_on") from None
    return crisis


def add_decision(access: Access, crisis: Crisis, text: str) -> CrisisEvent:
    access.require("community.work")
    text = text.strip()
    if not text:
        raise Conflict(_("Write the decision first."), "invalid")
    if crisis.ended_at is not None:
        raise Conflict(_("This crisis is over."), "ended")
    return CrisisEvent.objects.create(crisis=crisis, author=access.user, text=text[:2000])


def lift_crisis(access: Access, crisis: Crisis, *, resume: bool = True) -> Crisis:
    """End crisis mode (logged); by default publishing resumes too."""
    access.require("publishing.pause")
    with transaction.atomic():
        changed = Crisis.objects.filter(pk=crisis.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=access.user
        )
        if not changed:
            raise Conflict(_("This crisis is over."), "ended")
        CrisisEvent.objects.create(crisis=crisis, author=access.user, text=_("Crisis mode lifted."))
        if resume and active_pause(crisis.organization) is not None:
            resume_publishing(crisis.organization, actor=access.user, reason=_("Crisis lifted"))
        record("inbox.crisis.lifted", organization=crisis.organization, actor=access.user, target=crisis)
    crisis.refresh_from_db()
    return crisis
