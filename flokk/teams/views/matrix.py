"""The responsibility matrix page, its cells (htmx) and the team templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import render_page
from flokk.teams.choices import Area, Raci
from flokk.teams.forms import MatrixCellForm, TemplateApplyForm
from flokk.teams.models import AgencyAccess, Membership
from flokk.teams.permissions import OrgRequest, org_permission
from flokk.teams.services.matrix import (
    Party,
    apply_team_template,
    matrix_cells,
    matrix_warnings,
    parties,
    party_label,
    reachable,
    set_responsibility,
)
from flokk.teams.team_templates import TEAM_TEMPLATES


def _matrix_context(request: OrgRequest) -> dict[str, object]:
    organization = request.org
    columns = parties(organization)
    cells = matrix_cells(organization)
    party_ids = [str(party.pk) for party in columns]
    # Plain strings, worked out once: the page has a cell per area and person.
    rows = [
        (
            area.value,
            str(area.label),
            [
                # An agency can only hold a part in the areas it was granted; other cells are not offered.
                (party_id, cells.get((area.value, party_id), ""), reachable(party, area.value))
                for party, party_id in zip(columns, party_ids, strict=True)
            ],
        )
        for area in Area
    ]
    return {
        "columns": [(party_label(party), isinstance(party, AgencyAccess)) for party in columns],
        "rows": rows,
        "parts": [(value, str(label)) for value, label in Raci.choices],
        "cell_url": reverse("teams:matrix_cell", kwargs={"org": organization.slug}),
        "warnings": matrix_warnings(organization),
        "can_edit": request.perms.has("org.admin"),
    }


@org_permission("org.member")
def matrix_page(request: OrgRequest) -> HttpResponse:
    return render_page(
        request, "teams/pages/matrix.html", _matrix_context(request), partial="teams/partials/matrix.html"
    )


def _find_party(request: OrgRequest, party_id: str) -> Party | None:
    membership = Membership.objects.active().filter(pk=party_id, organization=request.org).first()
    if membership is not None:
        return membership
    return AgencyAccess.objects.active().filter(pk=party_id, client=request.org).first()


@require_POST
@org_permission("org.admin")
def matrix_cell(request: OrgRequest) -> HttpResponse:
    """Set one cell; answers with the refreshed matrix (htmx) or redirects back (plain form)."""
    form = MatrixCellForm(request.POST)
    status = 200
    if form.is_valid():
        party = _find_party(request, str(form.cleaned_data["party"]))
        if party is None:
            raise Http404("no such person or agency here")
        try:
            set_responsibility(
                request.org,
                area=form.cleaned_data["area"],
                party=party,
                part=form.cleaned_data["part"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
    else:
        messages.error(request, _("That change could not be saved: choose R, A, C, I or nothing."))
        status = 400
    if status == 200 and request.headers.get("HX-Request") != "true":
        return redirect("teams:matrix", org=request.org.slug)
    return render_page(
        request,
        "teams/pages/matrix.html",
        _matrix_context(request),
        partial="teams/partials/matrix.html",
        status=status,
    )


@org_permission("org.member")
def template_list(request: OrgRequest) -> HttpResponse:
    return render_page(request, "teams/pages/team_templates.html", {"templates": TEAM_TEMPLATES.values()})


@org_permission("org.admin")
def template_apply(request: OrgRequest, template_key: str) -> HttpResponse:
    template = TEAM_TEMPLATES.get(template_key)
    if template is None:
        raise Http404("no such team template")
    columns = parties(request.org)
    members = [(str(p.pk), party_label(p)) for p in columns if isinstance(p, Membership)]
    agencies = [(str(p.pk), party_label(p)) for p in columns if isinstance(p, AgencyAccess)]
    initial = {
        slot.key: str(request.perms.membership.pk)
        for slot in template.slots[:1]
        if slot.party == "member" and request.perms.membership
    }
    form = TemplateApplyForm(
        request.POST if request.method == "POST" else None,
        template=template,
        members=members,
        agencies=agencies,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            by_id = {str(p.pk): p for p in columns}
            assignments = {key: by_id.get(value) for key, value in form.cleaned_data.items()}
            try:
                apply_team_template(
                    request.org, template_key=template.key, assignments=assignments, actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Template applied: adjust the matrix to fit your team."))
                return redirect("teams:matrix", org=request.org.slug)
        status = 400
    return render_page(
        request, "teams/pages/team_template_apply.html", {"template": template, "form": form}, status=status
    )
