"""The signed-in person's own account: profile, two-factor sign-in, API tokens."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.teams.forms import ApiTokenForm, ProfileForm, TwoFactorCodeForm
from flokk.teams.models import ApiToken, User
from flokk.teams.permissions import UserRequest
from flokk.teams.services import auth as auth_service
from flokk.teams.services.profile import update_profile
from flokk.teams.services.tokens import create_api_token, revoke_api_token

SETUP_SECRET = "flokk_totp_setup"  # noqa: S105  (a session key name)


@login_required
def profile(request: UserRequest) -> HttpResponse:
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=request.user.pk)
    )
    if request.method == "POST":
        if form.is_valid():
            update_profile(
                request.user, **{k: form.cleaned_data[k] for k in ("name", "language", "time_zone")}
            )
            messages.success(request, _("Your settings are saved."))
            return redirect("teams:profile")
        return render(request, "teams/pages/profile.html", {"form": form}, status=400)
    return render(request, "teams/pages/profile.html", {"form": form})


@login_required
def two_factor(request: UserRequest) -> HttpResponse:
    """Turn TOTP two-factor sign-in on (scan, then confirm a code) or off (with a code)."""
    user = request.user
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if user.totp_enabled:
        if request.method == "POST" and form.is_valid():
            try:
                auth_service.disable_two_factor(user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("teams:profile")
        if request.method == "POST":
            status = 400
        return render(request, "teams/pages/two_factor.html", {"form": form}, status=status)
    secret = request.session.get(SETUP_SECRET) or auth_service.new_totp_secret()
    request.session[SETUP_SECRET] = secret
    if request.method == "POST" and form.is_valid():
        try:
            auth_service.enable_two_factor(user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(SETUP_SECRET, None)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("teams:profile")
    if request.method == "POST":
        status = 400
    uri = auth_service.provisioning_uri(user, secret)
    context = {
        "form": form,
        "secret": secret,
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4),
        "required": request.GET.get("required") == "1",
    }
    return render(request, "teams/pages/two_factor.html", context, status=status)


@login_required
def api_tokens(request: UserRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, new_token = create_api_token(request.user, name=form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error("name", error)
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(
        request,
        "teams/pages/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=status,
    )


@require_POST
@login_required
def revoke_token(request: UserRequest, token_id: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    revoke_api_token(token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("teams:api_tokens")
