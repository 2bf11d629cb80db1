"""Writing the audit log. Every service that changes members, roles, permissions or access calls `record`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from flokk.core.models import AuditEntry

if TYPE_CHECKING:
    from flokk.teams.models import Organization, User


def audit_entry(
    action: str,
    *,
    organization: Organization | None,
    actor: User | None,
    target: models.Model | None = None,
    target_label: str = "",
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """An unsaved audit entry. `action` is a dotted code: `<app>.<object>.<verb>`."""
    if action.count(".") < 2:
        raise ValueError(f"audit action codes are dotted <app>.<object>.<verb>: {action!r}")
    return AuditEntry(
        organization=organization,
        actor=actor,
        actor_label=getattr(actor, "email", "") if actor is not None else "",
        action=action,
        target_type=target._meta.model_name or "" if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label or (str(target) if target is not None else ""),
        data=data or {},
        ip_address=ip_address,
    )


def record(
    action: str,
    *,
    organization: Organization | None,
    actor: User | None,
    target: models.Model | None = None,
    target_label: str = "",
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one audit entry. `action` is a dotted code: `<app>.<object>.<verb>`."""
    entry = audit_entry(
        action,
        organization=organization,
        actor=actor,
        target=target,
        target_label=target_label,
        data=data,
        ip_address=ip_address,
    )
    entry.save(force_insert=True)
    return entry


def record_many(entries: list[AuditEntry]) -> None:
    """Append many entries built with `audit_entry` in one go (e.g. a batch of publications)."""
    AuditEntry.objects.bulk_create(entries, batch_size=500)
