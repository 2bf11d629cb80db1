"""Inviting people by e-mail link, and accepting or withdrawing invitations."""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.models import Invitation, Membership, Organization, Role, User, hash_secret
from flokk.teams.services.members import add_member

logger = logging.getLogger(__name__)


def invitation_url(token: str) -> str:
    return settings.FLOKK_BASE_URL.rstrip("/") + reverse("teams:accept_invitation", args=[token])


def _send_invitation_email(invitation: Invitation, token: str, language: str) -> None:
    with translation.override(language):
        context = {
            "invitation": invitation,
            "url": invitation_url(token),
            "organization": invitation.organization,
        }
        subject = _("You are invited to %(organization)s on Flokk") % {
            "organization": invitation.organization.name
        }
        body = render_to_string("teams/emails/invitation.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except (OSError, smtplib.SMTPException) as error:
        # The invitation stands; the members page shows that the e-mail failed and offers to send it again.
        logger.warning("invitation e-mail to %s failed: %s", invitation.email, error)
        Invitation.objects.filter(pk=invitation.pk).update(email_failed=True)


def create_invitation(
    organization: Organization,
    *,
    email: str,
    roles: Iterable[Role] = (),
    is_admin: bool = False,
    actor: User,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` with these roles; returns the invitation and its clear token (sent by e-mail).

    Inviting someone who is already an active member is refused; a pending invitation to the same
    address is replaced, so only the newest link works.
    """
    email = email.strip().lower()
    roles = list(roles)
    if any(role.organization_id != organization.pk for role in roles):
        raise ValidationError(_("That role does not belong to this organization."), code="foreign_role")
    if Membership.objects.active().filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member.") % {"email": email}, code="already_member")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            organization=organization, email=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=now, updated_at=now)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            is_admin=is_admin,
            token_hash=hash_secret(token),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        invitation.roles.set(roles)
        record(
            "teams.member.invited",
            organization=organization,
            actor=actor,
            target=invitation,
            target_label=email,
            data={"roles": sorted(r.key for r in roles), "admin": is_admin},
        )
        lang = language or organization.language
        transaction.on_commit(lambda: _send_invitation_email(invitation, token, lang))
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The pending invitation behind a link, or None when it is unknown, used, withdrawn or expired."""
    invitation = (
        Invitation.objects.select_related("organization").filter(token_hash=hash_secret(token)).first()
    )
    return invitation if invitation is not None and invitation.is_pending else None


def accept_invitation(
    invitation: Invitation, *, user: User | None = None, name: str = "", password: str = ""
) -> User:
    """Join the organization. Without `user`, a new account is made for the invited address."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_pending:
            raise ValidationError(_("This invitation is no longer valid."), code="invalid_invitation")
        if user is None:
            user = User.objects.filter(email__iexact=locked.email).first()
            if user is None:
                user = User.objects.create_user(locked.email, password or None, name=name)
            else:
                raise ValidationError(_("Sign in to accept this invitation."), code="sign_in_first")
        elif user.email.lower() != locked.email.lower():
            raise ValidationError(_("This invitation was sent to another e-mail address."), code="wrong_user")
        add_member(locked.organization, user, roles=locked.roles.all(), is_admin=locked.is_admin, actor=user)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at", "updated_at"])
        record(
            "teams.invitation.accepted",
            organization=locked.organization,
            actor=user,
            target=locked,
            target_label=locked.email,
        )
    return user


def resend_invitation(invitation: Invitation, *, actor: User) -> tuple[Invitation, str]:
    """Send a pending (or expired) invitation again, with a new link; the old link stops working."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(_("Only pending invitations can be sent again."), code="not_pending")
    return create_invitation(
        invitation.organization,
        email=invitation.email,
        roles=invitation.roles.all(),
        is_admin=invitation.is_admin,
        actor=actor,
    )


def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    """Withdraw a pending invitation: its link stops working."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(_("Only pending invitations can be withdrawn."), code="not_pending")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        record(
            "teams.invitation.revoked",
            organization=invitation.organization,
            actor=actor,
            target=invitation,
            target_label=invitation.email,
        )
