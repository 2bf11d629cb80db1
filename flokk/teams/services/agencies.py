"""Agency access: a client lets an agency organization work in chosen responsibility areas."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.choices import Area
from flokk.teams.models import AgencyAccess, Organization, User


def _clean_areas(areas: Iterable[str]) -> list[str]:
    chosen = set(areas)
    unknown = chosen - set(Area.values)
    if unknown:
        raise ValidationError(
            _("Unknown responsibility area: %(area)s") % {"area": ", ".join(sorted(unknown))},
            code="unknown_area",
        )
    if not chosen:
        raise ValidationError(_("Choose at least one area."), code="no_areas")
    return [area for area in Area.values if area in chosen]


def grant_agency_access(
    client: Organization, *, agency_slug: str, areas: Iterable[str], actor: User
) -> AgencyAccess:
    """Let the agency with this short name work in `areas` of `client`."""
    areas = _clean_areas(areas)
    agency = Organization.objects.filter(slug=agency_slug.strip().lower()).first()
    if agency is None:
        raise ValidationError(
            _("No organization has the short name %(slug)s.") % {"slug": agency_slug}, code="unknown_agency"
        )
    if agency.pk == client.pk:
        raise ValidationError(_("An organization cannot be its own agency."), code="self_agency")
    if AgencyAccess.objects.active().filter(client=client, agency=agency).exists():
        raise ValidationError(
            _("%(agency)s already has access; change its areas instead.") % {"agency": agency.name},
            code="already_granted",
        )
    with transaction.atomic():
        access = AgencyAccess.objects.create(client=client, agency=agency, areas=areas, granted_by=actor)
        for org in (client, agency):
            record(
                "teams.agency_access.granted",
                organization=org,
                actor=actor,
                target=access,
                data={"client": client.slug, "agency": agency.slug, "areas": areas},
            )
    return access


def change_agency_areas(access: AgencyAccess, *, areas: Iterable[str], actor: User) -> AgencyAccess:
    """Widen or narrow what the agency may work on."""
    if not access.is_active:
        raise ValidationError(_("This access has been withdrawn."), code="revoked")
    areas = _clean_areas(areas)
    with transaction.atomic():
        before = list(access.areas)
        access.areas = areas
        access.save(update_fields=["areas", "updated_at"])
        # Responsibilities in areas the agency no longer reaches go with them.
        access.responsibilities.exclude(area__in=areas).delete()
        for org in (access.client, access.agency):
            record(
                "teams.agency_access.changed",
                organization=org,
                actor=actor,
                target=access,
                data={"before": before, "after": areas},
            )
    return access


def revoke_agency_access(access: AgencyAccess, *, actor: User) -> None:
    """Withdraw the agency's access at once; its members lose their view of the client."""
    if not access.is_active:
        raise ValidationError(_("This access has already been withdrawn."), code="revoked")
    with transaction.atomic():
        access.revoked_at = timezone.now()
        access.revoked_by = actor
        access.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        access.responsibilities.all().delete()
        for org in (access.client, access.agency):
            record(
                "teams.agency_access.revoked",
                organization=org,
                actor=actor,
                target=access,
                data={"client": access.client.slug, "agency": access.agency.slug},
            )
