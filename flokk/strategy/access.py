"""The one strategy rule that is not a single permission: who may enter measurements.

Built on `Access.has` from `flokk.teams.permissions`, so unknown names still raise there.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from flokk.teams.permissions import Access

MEASUREMENT_PERMISSIONS = ("strategy.work", "analysis.work")


def can_record_measurements(access: Access) -> bool:
    """Strategists who work on goals, and analysts, may enter KPI measurements."""
    return any(access.has(permission) for permission in MEASUREMENT_PERMISSIONS)


def require_measurement_access(access: Access) -> None:
    if not can_record_measurements(access):
        raise PermissionDenied("strategy.work or analysis.work")
