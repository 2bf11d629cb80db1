"""The responsibility matrix: who is Responsible, Accountable, Consulted or Informed per area."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.choices import Area, Raci
from flokk.teams.models import AgencyAccess, Membership, Organization, ResponsibilityAssignment, Role, User
from flokk.teams.team_templates import TEAM_TEMPLATES

Party = Membership | AgencyAccess

# One party responsible for more than this share of the areas is a "one-person show" (advice only).
ONE_PERSON_SHOW_SHARE = 0.5


@dataclass(frozen=True)
class MatrixWarning:
    code: str
    message: str
    area: str = ""


def parties(organization: Organization) -> list[Party]:
    """The matrix's columns: active members, then agencies with active access."""
    members: list[Party] = list(
        Membership.objects.active().for_org(organization).select_related("user").prefetch_related("roles")
    )
    agencies: list[Party] = list(
        AgencyAccess.objects.active().filter(client=organization).select_related("agency")
    )
    return members + agencies


def party_label(party: Party) -> str:
    return party.user.display_name if isinstance(party, Membership) else party.agency.name


def _party_filter(party: Party) -> dict[str, Any]:
    return {"membership": party} if isinstance(party, Membership) else {"agency_access": party}


def _check_party(organization: Organization, party: Party) -> None:
    org_id = party.organization_id if isinstance(party, Membership) else party.client_id
    if org_id != organization.pk or not party.is_active:
        raise ValidationError(
            _("That person or agency is not part of this organization."), code="foreign_party"
        )


def reachable(party: Party, area: str) -> bool:
    """Members reach every area; an agency only the areas it was granted (narrowing removes the rest)."""
    return isinstance(party, Membership) or area in party.areas


def set_responsibility(
    organization: Organization, *, area: str, party: Party, part: str, actor: User
) -> None:
    """Set one cell; an empty `part` clears it."""
    if area not in Area.values:
        raise ValidationError(
            _("Unknown responsibility area: %(area)s") % {"area": area}, code="unknown_area"
        )
    if part and part not in Raci.values:
        raise ValidationError(_("Choose R, A, C or I."), code="unknown_part")
    _check_party(organization, party)
    if part and not reachable(party, area):
        raise ValidationError(
            _("%(agency)s has no access to %(area)s; widen its areas first.")
            % {"agency": party_label(party), "area": Area(area).label},
            code="area_not_granted",
        )
    with transaction.atomic():
        existing = ResponsibilityAssignment.objects.filter(
            organization=organization, area=area, **_party_filter(party)
        )
        before = existing.values_list("part", flat=True).first() or ""
        if before == part:
            return
        existing.delete()
        if part:
            ResponsibilityAssignment.objects.create(
                organization=organization, area=area, part=part, **_party_filter(party)
            )
        record(
            "teams.matrix.changed",
            organization=organization,
            actor=actor,
            target_label=party_label(party),
            data={"area": area, "before": before, "after": part},
        )


def matrix_cells(organization: Organization) -> dict[tuple[str, str], str]:
    """(area, party id) -> part, for every filled cell."""
    cells = {}
    for row in ResponsibilityAssignment.objects.filter(organization=organization):
        cells[(row.area, str(row.membership_id or row.agency_access_id))] = row.part
    return cells


def matrix_warnings(organization: Organization) -> list[MatrixWarning]:
    """Areas with no one responsible or several accountable, and one-person shows. Advice, never a block."""
    rows = list(
        ResponsibilityAssignment.objects.filter(organization=organization).select_related(
            "membership__user", "agency_access__agency"
        )
    )
    warnings = []
    responsible = Counter(row.area for row in rows if row.part == Raci.RESPONSIBLE)
    accountable = Counter(row.area for row in rows if row.part == Raci.ACCOUNTABLE)
    for area in Area:
        if not responsible[area.value]:
            warnings.append(
                MatrixWarning(
                    "no_responsible",
                    _("No one is responsible for %(area)s.") % {"area": area.label},
                    area.value,
                )
            )
        if accountable[area.value] > 1:
            warnings.append(
                MatrixWarning(
                    "several_accountable",
                    _("%(area)s has more than one accountable person; choose one.") % {"area": area.label},
                    area.value,
                )
            )
    per_party = Counter(
        party_label(row.membership or row.agency_access)  # type: ignore[arg-type]
        for row in rows
        if row.part == Raci.RESPONSIBLE
    )
    for label, count in sorted(per_party.items()):
        if count > len(Area) * ONE_PERSON_SHOW_SHARE:
            warnings.append(
                MatrixWarning(
                    "one_person_show",
                    _(
                        "%(name)s is responsible for %(count)d of %(total)d areas. The sources warn against "
                        "the one-person show: spread the areas across the team."
                    )
                    % {"name": label, "count": count, "total": len(Area)},
                )
            )
    return warnings


def apply_team_template(
    organization: Organization, *, template_key: str, assignments: Mapping[str, Party | None], actor: User
) -> None:
    """Replace the matrix with the template's, filling each slot with the chosen party; slots left empty
    are skipped, and so are areas an agency has no access to. Members also get the slot's roles (added to
    the roles they have)."""
    template = TEAM_TEMPLATES.get(template_key)
    if template is None:
        raise ValidationError(_("Unknown team template."), code="unknown_template")
    with transaction.atomic():
        ResponsibilityAssignment.objects.filter(organization=organization).delete()
        for slot in template.slots:
            party = assignments.get(slot.key)
            if party is None:
                continue
            if (slot.party == "agency") != isinstance(party, AgencyAccess):
                raise ValidationError(
                    _("Choose an agency for agency slots and a person for the others."), code="wrong_party"
                )
            _check_party(organization, party)
            if isinstance(party, Membership) and slot.roles:
                party.roles.add(*Role.objects.filter(organization=organization, key__in=slot.roles))
            for area, part in slot.parts.items():
                if not reachable(party, area.value):
                    continue
                ResponsibilityAssignment.objects.update_or_create(
                    organization=organization,
                    area=area.value,
                    **_party_filter(party),
                    defaults={"part": part},
                )
        record(
            "teams.matrix.template_applied",
            organization=organization,
            actor=actor,
            data={
                "template": template_key,
                "slots": {k: party_label(v) for k, v in assignments.items() if v is not None},
            },
        )
