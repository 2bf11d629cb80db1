"""Signing in and out, two-factor verification, password reset and accepting invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as django_auth
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from flokk.teams.forms import AcceptInvitationForm, SignInForm, TwoFactorCodeForm
from flokk.teams.models import User
from flokk.teams.permissions import UserRequest
from flokk.teams.services import auth as auth_service
from flokk.teams.services.invitations import accept_invitation, find_invitation
from flokk.teams.signals import client_ip

PENDING_USER = "flokk_2fa_user"
PENDING_NEXT = "flokk_2fa_next"


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, {request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return str(reverse_lazy("teams:home"))


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    """E-mail and password; then the TOTP code for people who turned two-factor on."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        email, ip = request.POST.get("username", ""), client_ip(request)
        if auth_service.sign_in_blocked(email, ip):
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Wait a few minutes and try again."))
            status = 429
        elif form.is_valid():
            user = form.get_user()
            auth_service.clear_failed_sign_ins(email)
            if user.totp_enabled:
                request.session[PENDING_USER] = str(user.pk)
                request.session[PENDING_NEXT] = next_url
                return redirect("teams:login_verify")
            login(request, user)
            return redirect(next_url)
        else:
            auth_service.note_failed_sign_in(email, ip)
            status = 400
    return render(request, "teams/pages/login.html", {"form": form, "next": next_url}, status=status)


@never_cache
def verify_two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of signing in for people with two-factor sign-in."""
    pending = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    if user is None:
        return redirect("teams:login")
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        if auth_service.sign_in_blocked(user.email, ip):
            form.add_error(None, _("Too many failed attempts. Wait a few minutes and try again."))
            status = 429
        elif form.is_valid() and auth_service.use_totp_code(user, form.cleaned_data["code"]):
            next_url = request.session.pop(PENDING_NEXT, None)
            request.session.pop(PENDING_USER, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_safe_next(request, next_url))
        else:
            auth_service.note_failed_sign_in(user.email, ip)
            if form.is_valid():
                form.add_error(
                    "code", _("That code is not right. Check the time on your phone and try again.")
                )
            status = 400
    return render(request, "teams/pages/login_verify.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("teams:login")


class PasswordResetView(django_auth.PasswordResetView):
    template_name = "teams/pages/password_reset.html"
    email_template_name = "teams/emails/password_reset.txt"
    subject_template_name = "teams/emails/password_reset_subject.txt"
    success_url = reverse_lazy("teams:password_reset_done")


class PasswordResetDoneView(django_auth.PasswordResetDoneView):
    template_name = "teams/pages/password_reset_done.html"


class PasswordResetConfirmView(django_auth.PasswordResetConfirmView):
    template_name = "teams/pages/password_reset_confirm.html"
    success_url = reverse_lazy("teams:password_reset_complete")


class PasswordResetCompleteView(django_auth.PasswordResetCompleteView):
    template_name = "teams/pages/password_reset_complete.html"


@never_cache
@sensitive_post_parameters("password1", "password2")
def accept_invitation_view(request: UserRequest, token: str) -> HttpResponse:
    """New people set their name and password; people with an account join after signing in."""
    invitation = find_invitation(token)
    if invitation is None:
        return render(request, "teams/pages/invitation_invalid.html", status=404)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    context: dict[str, object] = {"invitation": invitation, "existing": existing}
    if existing is not None:
        if request.method == "POST" and request.user.is_authenticated:
            try:
                accept_invitation(invitation, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return render(request, "teams/pages/invitation_accept.html", context, status=400)
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
            return redirect("teams:org_home", org=invitation.organization.slug)
        return render(request, "teams/pages/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, email=invitation.email)
    context["form"] = form
    if request.method == "POST":
        if form.is_valid():
            user = accept_invitation(
                invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
            return redirect("teams:org_home", org=invitation.organization.slug)
        return render(request, "teams/pages/invitation_accept.html", context, status=400)
    return render(request, "teams/pages/invitation_accept.html", context)
