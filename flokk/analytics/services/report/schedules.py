"""Schedules: who gets the report by e-mail, and sending each scheduled report once a month."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from flokk.analytics.models import ReportSchedule
from flokk.analytics.services.report.data import (
    local_today,
    previous_month,
)
from flokk.analytics.services.report.gather import monthly_report
from flokk.analytics.services.report.render import display_context, month_label, pdf_file_name, report_pdf
from flokk.core import audit
from flokk.teams.models import Membership, Organization, User
from flokk.teams.permissions import resolve_access

logger = logging.getLogger(__name__)


def schedule_candidates(organization: Organization) -> list[User]:
    """Active members who may read analytics: the people a report can go to."""
    members = (
        Membership.objects.active()
        .filter(organization=organization)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    people = []
    for membership in members:
        access = resolve_access(membership.user, organization)
        if access is not None and access.has("analysis.view"):
            people.append(membership.user)
    return people


def add_schedule(
    organization: Organization, *, recipient: User, language: str, day_of_month: int, actor: User
) -> ReportSchedule:
    """Send the monthly report to `recipient` (a member who may read analytics); one schedule a person."""
    errors: dict[str, list[str]] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the languages.")]
    if not 1 <= day_of_month <= 28:
        errors["day_of_month"] = [_("Choose a day from 1 to 28.")]
    access = resolve_access(recipient, organization)
    if access is None or not access.has("analysis.view"):
        errors["recipient"] = [_("Reports go only to members who may see analytics.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule, _created = ReportSchedule.objects.update_or_create(
            organization=organization,
            recipient=recipient,
            defaults={"language": language, "day_of_month": day_of_month},
        )
        _audit(organization, actor, "analytics.report_schedule.saved", schedule)
    return schedule


def remove_schedule(schedule: ReportSchedule, *, actor: User) -> None:
    organization = schedule.organization
    with transaction.atomic():
        _audit(organization, actor, "analytics.report_schedule.removed", schedule)
        schedule.delete()


def _audit(organization: Organization, actor: User, action: str, schedule: ReportSchedule) -> None:
    audit.record(
        action,
        organization=organization,
        actor=actor,
        target=schedule,
        target_label=schedule.recipient.email,
        data={"language": schedule.language, "day_of_month": schedule.day_of_month},
    )


def send_due_reports(now: dt.datetime | None = None) -> int:
    """E-mail last month's report to every schedule whose day has come this month (the organization's
    calendar) and that has not had it yet; returns how many were sent."""
    now = now or timezone.now()
    # No organization's last month is later than this UTC month: a superset of what is due, checked below.
    latest = dt.date(now.year, now.month, 1)
    due = ReportSchedule.objects.filter(
        Q(last_sent_for__isnull=True) | Q(last_sent_for__lt=latest)
    ).select_related("organization", "recipient")
    sent = 0
    for schedule in due:
        try:
            sent += send_scheduled_report(schedule, now)
        except Exception:  # one recipient's failure (a mail server's refusal) must not stop the others
            logger.exception("analytics: the report for schedule %s could not be sent", schedule.pk)
    return sent


def send_scheduled_report(schedule: ReportSchedule, now: dt.datetime) -> bool:
    """Send last month's report for this schedule if it is due and unsent; True when this call sent it.

    The month is claimed with a conditional update inside the transaction that sends: of two workers holding
    the same schedule, only the one whose update matched sends, and a failed send rolls the claim back so
    the next run tries again.
    """
    organization = schedule.organization
    today = local_today(organization, now)
    month = previous_month(today.replace(day=1))
    if today.day < schedule.day_of_month:
        return False
    if schedule.last_sent_for is not None and schedule.last_sent_for >= month:
        return False
    recipient = schedule.recipient
    access = resolve_access(recipient, organization)
    if not recipient.email or access is None or not access.has("analysis.view"):
        return False  # no longer a reader; the schedule stays for when they are again
    with transaction.atomic():
        claimed = (
            ReportSchedule.objects.filter(pk=schedule.pk)
            .filter(Q(last_sent_for__isnull=True) | Q(last_sent_for__lt=month))
            .update(last_sent_for=month, updated_at=timezone.now())
        )
        if claimed != 1:
            return False
        _send(schedule, organization, month)
    logger.info("analytics: report for %s sent to schedule %s", month, schedule.pk)
    return True


def _send(schedule: ReportSchedule, organization: Organization, month: dt.date) -> None:
    language = schedule.language or organization.language or settings.LANGUAGE_CODE
    with translation.override(language):  # some labels are worked out while the figures are gathered
        report = monthly_report(organization, month)
    pdf = report_pdf(report, language)
    with translation.override(language):
        subject = _("%(organization)s: social media report for %(month)s") % {
            "organization": organization.name,
            "month": month_label(month),
        }
        body = render_to_string("analytics/partials/report_email.txt", display_context(report))
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [schedule.recipient.email])
    message.attach(pdf_file_name(report), pdf, "application/pdf")
    message.send()
