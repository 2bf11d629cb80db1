"""The crisis switch, per organization and per account: hold all publishing until someone lifts it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.models import Account
from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.publishing.models import PublishingPause
from flokk.teams.models import Organization, User


def active_pause(organization: Organization) -> PublishingPause | None:
    return PublishingPause.objects.filter(organization=organization, lifted_at__isnull=True).first()


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Say why publishing is paused."), code="required")}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": ValidationError(_("Keep the reason under 500 characters."))})
    return reason


def pause_publishing(
    organization: Organization, *, reason: str, actor: User | None, automatic: bool = False
) -> PublishingPause:
    """Hold everything the organization would publish, from now until `resume_publishing`."""
    reason = _reason(reason)
    try:
        with transaction.atomic():
            pause = PublishingPause.objects.create(
                organization=organization, reason=reason, paused_by=actor, automatic=automatic
            )
            record(
                "publishing.organization.paused",
                organization=organization,
                actor=actor,
                target=pause,
                data={"reason": reason, "automatic": automatic},
            )
    except IntegrityError:
        raise Conflict(_("Publishing is already paused."), code="already_paused") from None
    return pause


def resume_publishing(organization: Organization, *, actor: User, reason: str = "") -> PublishingPause:
    """Lift the organization's pause; what was due meanwhile goes out now, in order."""
    with transaction.atomic():
        pause = (
            PublishingPause.objects.select_for_update()
            .filter(organization=organization, lifted_at__isnull=True)
            .first()
        )
        if pause is None:
            raise Conflict(_("Publishing is not paused."), code="not_paused")
        pause.lifted_at = timezone.now()
        pause.lifted_by = actor
        pause.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
        record(
            "publishing.organization.resumed",
            organization=organization,
            actor=actor,
            target=pause,
            data={"reason": reason.strip()[:500], "paused_reason": pause.reason},
        )
    return pause


def pause_account(account: Account, *, reason: str, actor: User) -> Account:
    """Hold everything that would be published to this one account."""
    reason = _reason(reason)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.paused_at is not None:
            raise Conflict(_("Publishing to this account is already paused."), code="already_paused")
        account.paused_at, account.pause_reason, account.paused_by = timezone.now(), reason, actor
        account.save(update_fields=["paused_at", "pause_reason", "paused_by", "updated_at"])
        record(
            "publishing.account.paused",
            organization=account.organization,
            actor=actor,
            target=account,
            data={"reason": reason},
        )
    return account


def resume_account(account: Account, *, actor: User) -> Account:
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.paused_at is None:
            raise Conflict(_("Publishing to this account is not paused."), code="not_paused")
        reason = account.pause_reason
        account.paused_at, account.pause_reason, account.paused_by = None, "", None
        account.save(update_fields=["paused_at", "pause_reason", "paused_by", "updated_at"])
        record(
            "publishing.account.resumed",
            organization=account.organization,
            actor=actor,
            target=account,
            data={"paused_reason": reason},
        )
    return account
