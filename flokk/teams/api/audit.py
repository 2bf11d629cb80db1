"""Teams API: an organization's audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, P, QueryEx, Schema

from flokk.core.models import AuditEntry
from flokk.teams.api.common import FOR_ADMINS, TEXT_PATTERN, OrgSlug, router
from flokk.teams.permissions import api_access


# --- audit log --------------------------------------------------------------------------------------
class AuditEntryOut(Schema):
    id: uuid.UUID
    created_at: datetime
    action: str = Field(description="Dotted code, e.g. `teams.member.roles_changed`")
    actor: str = Field(description="E-mail of who did it, as it was then")
    target_type: str
    target_id: str
    target_label: str
    data: dict[str, Any]
    ip_address: str | None


class AuditPageOut(Schema):
    count: int = Field(description="Entries matching the filter, on all pages")
    items: list[AuditEntryOut]


@router.get(
    "/orgs/{org}/audit",
    response={200: AuditPageOut, **FOR_ADMINS},
    summary="The audit log, newest first",
    operation_id="flokk_teams_api_audit_log",
)
def audit_log(
    request: HttpRequest,
    org: OrgSlug,
    limit: QueryEx[int, P(ge=1, le=200)] = 50,
    offset: QueryEx[int, P(ge=0, le=10**9)] = 0,
    action: QueryEx[str, P(max_length=100, pattern=TEXT_PATTERN, description="Action code prefix")] = "",
) -> AuditPageOut:
    access = api_access(request, org, "org.admin")
    entries = AuditEntry.objects.for_org(access.organization).order_by("-created_at", "-id")
    if action:
        entries = entries.filter(action__startswith=action)
    return AuditPageOut(
        count=entries.count(),
        items=[
            AuditEntryOut(
                id=entry.id,
                created_at=entry.created_at,
                action=entry.action,
                actor=entry.actor_label,
                target_type=entry.target_type,
                target_id=entry.target_id,
                target_label=entry.target_label,
                data=entry.data if isinstance(entry.data, dict) else {},
                ip_address=entry.ip_address,
            )
            for entry in entries[offset : offset + limit]
        ],
    )
