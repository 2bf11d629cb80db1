"""Personal API tokens. The clear token is shown once; only its SHA-256 digest is kept."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.models import ApiToken, User, hash_secret

TOKEN_PREFIX = "flk_"  # noqa: S105  (a marker, not a secret)


def create_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token acting with `user`'s permissions; returns (token row, clear token)."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, so you can tell it apart later."), code="required")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], token_hash=hash_secret(clear), prefix=clear[:10]
        )
        for membership in user.memberships.filter(is_active=True).select_related("organization"):
            record("teams.api_token.created", organization=membership.organization, actor=user, target=token)
    return token, clear


def authenticate_api_token(clear: str) -> User | None:
    """The active user behind a clear token, or None."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(clear), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        for membership in token.user.memberships.filter(is_active=True).select_related("organization"):
            record("teams.api_token.revoked", organization=membership.organization, actor=actor, target=token)
