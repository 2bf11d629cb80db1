"""People in an organization: the list, invitations, roles per person, removal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import perform, render_page
from flokk.teams.forms import InviteForm, MemberForm
from flokk.teams.models import Invitation, Membership
from flokk.teams.permissions import OrgRequest, org_permission
from flokk.teams.services.invitations import create_invitation, resend_invitation, revoke_invitation
from flokk.teams.services.members import change_member_roles, remove_member


def _member_page(
    request: OrgRequest, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    organization = request.org
    members = (
        Membership.objects.active().for_org(organization).select_related("user").prefetch_related("roles")
    )
    invitations = Invitation.objects.filter(organization=organization, accepted_at=None, revoked_at=None)
    context = {
        "members": members,
        "invitations": [i for i in invitations.prefetch_related("roles") if i.is_pending],
        "invite_form": invite_form or InviteForm(organization=organization),
    }
    return render_page(request, "teams/pages/members.html", context, status=status)


@org_permission("org.member")
def member_list(request: OrgRequest) -> HttpResponse:
    return _member_page(request)


@require_POST
@org_permission("org.admin")
def invite(request: OrgRequest) -> HttpResponse:
    form = InviteForm(request.POST, organization=request.org)
    if form.is_valid():
        try:
            create_invitation(
                request.org,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                is_admin=form.cleaned_data["is_admin"],
                actor=request.user,
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("teams:members", org=request.org.slug)
    return _member_page(request, form, status=400)


@require_POST
@org_permission("org.admin")
def invitation_revoke(request: OrgRequest, invitation_id: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=request.org)
    perform(
        request, lambda: revoke_invitation(invitation, actor=request.user), success=_("Invitation withdrawn.")
    )
    return redirect("teams:members", org=request.org.slug)


@require_POST
@org_permission("org.admin")
def invitation_resend(request: OrgRequest, invitation_id: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=request.org)
    perform(
        request,
        lambda: resend_invitation(invitation, actor=request.user),
        success=_("Invitation sent again to %(email)s.") % {"email": invitation.email},
    )
    return redirect("teams:members", org=request.org.slug)


@org_permission("org.admin")
def member_edit(request: OrgRequest, member_id: str) -> HttpResponse:
    organization = request.org
    membership = get_object_or_404(
        Membership.objects.active().select_related("user"), pk=member_id, organization=organization
    )
    initial = {"roles": list(membership.roles.all()), "is_admin": membership.is_admin}
    form = MemberForm(
        request.POST if request.method == "POST" else None, organization=organization, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change_member_roles(
                    membership,
                    roles=form.cleaned_data["roles"],
                    is_admin=form.cleaned_data["is_admin"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Roles saved for %(name)s.") % {"name": membership.user.display_name}
                )
                return redirect("teams:members", org=organization.slug)
        status = 400
    return render_page(
        request, "teams/pages/member_edit.html", {"membership": membership, "form": form}, status=status
    )


@require_POST
@org_permission("org.admin")
def member_remove(request: OrgRequest, member_id: str) -> HttpResponse:
    organization = request.org
    membership = get_object_or_404(Membership.objects.active(), pk=member_id, organization=organization)
    perform(
        request,
        lambda: remove_member(membership, actor=request.user),
        success=_("%(name)s was removed.") % {"name": membership.user.display_name},
    )
    return redirect("teams:members", org=organization.slug)
