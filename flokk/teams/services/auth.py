"""Signing in: failed-attempt throttling, TOTP two-factor, and the sign-in audit trail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.models import Organization, User

ISSUER = "Flokk"


# --- throttling -------------------------------------------------------------------------------------
# Failures are counted per e-mail address (guessing one person's password) and, with a higher limit, per
# IP address (trying many addresses; an office shares one address). A success clears only the address.
def _email_key(email: str) -> str:
    return "login-fail:email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _ip_key(ip: str | None) -> str:
    return f"login-fail:ip:{ip or '-'}"


def sign_in_blocked(email: str, ip: str | None) -> bool:
    """True when this address or this IP has failed too often in the window."""
    return (cache.get(_email_key(email)) or 0) >= settings.LOGIN_FAILURE_LIMIT or (
        cache.get(_ip_key(ip)) or 0
    ) >= settings.LOGIN_FAILURE_LIMIT_PER_IP


def note_failed_sign_in(email: str, ip: str | None) -> None:
    for key in (_email_key(email), _ip_key(ip)):
        if not cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
    # PostgreSQL refuses NUL characters in a query, and no address contains one.
    user = User.objects.filter(email__iexact=email.strip()).first() if "\x00" not in email else None
    if user is not None:
        record_for_user_orgs("teams.auth.sign_in_failed", user, ip_address=ip)


def clear_failed_sign_ins(email: str) -> None:
    cache.delete(_email_key(email))


def record_for_user_orgs(action: str, user: User, *, ip_address: str | None = None) -> None:
    """Sign-in events go to the audit log of every organization the person belongs to."""
    organizations: list[Organization | None] = list(
        Organization.objects.filter(memberships__user=user, memberships__is_active=True)
    )
    for organization in organizations or [None]:
        record(
            action,
            organization=organization,
            actor=user,
            target=user,
            target_label=user.email,
            ip_address=ip_address,
        )


# --- two-factor -------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(secret: str, code: str) -> int | None:
    """The TOTP time step (30 s) whose code this is, allowing one step of clock drift either way."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=drift * totp.interval)
        if secrets.compare_digest(totp.at(moment), code):
            return int(totp.timecode(moment))
    return None


def totp_code_valid(secret: str, code: str) -> bool:
    return _matching_step(secret, code) is not None


def use_totp_code(user: User, code: str) -> bool:
    """Check a sign-in code and spend it: each code works once, so an overheard code cannot be replayed."""
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return False
    spent = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    return spent == 1


def enable_two_factor(user: User, *, secret: str, code: str) -> None:
    """Turn on TOTP after the user proves their app shows the right code."""
    if not totp_code_valid(secret, code):
        raise ValidationError(
            _("That code is not right. Check the time on your phone and try again."), code="bad_code"
        )
    with transaction.atomic():
        user.totp_secret, user.totp_enabled = secret, True
        user.totp_last_step = _matching_step(secret, code) or 0
        user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step", "updated_at"])
        record_for_user_orgs("teams.auth.two_factor_enabled", user)


def disable_two_factor(user: User, *, code: str) -> None:
    if user_requires_two_factor(user):
        raise ValidationError(
            _("One of your organizations requires two-factor sign-in."), code="required_by_org"
        )
    if not use_totp_code(user, code):
        raise ValidationError(_("That code is not right."), code="bad_code")
    with transaction.atomic():
        user.totp_secret, user.totp_enabled = "", False
        user.save(update_fields=["totp_secret", "totp_enabled", "updated_at"])
        record_for_user_orgs("teams.auth.two_factor_disabled", user)


def user_requires_two_factor(user: User) -> bool:
    """True when any organization the user belongs to requires two-factor sign-in."""
    return Organization.objects.filter(
        memberships__user=user, memberships__is_active=True, require_two_factor=True
    ).exists()
