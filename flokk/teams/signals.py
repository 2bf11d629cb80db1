"""Sign-ins and sign-outs land in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from flokk.teams.services.auth import record_for_user_orgs


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_for_user_orgs("teams.auth.signed_in", user, ip_address=client_ip(request))


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_for_user_orgs("teams.auth.signed_out", user, ip_address=client_ip(request))
