"""The asset library: list, upload, describe, and the member-only file download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.content.forms import AssetEditForm, AssetUploadForm, add_service_errors
from flokk.content.models import Asset
from flokk.content.services.assets import clean_tags, update_asset, upload_asset
from flokk.content.services.policy import policy_for
from flokk.content.services.public_media import asset_for_token
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission


def _library(request: OrgRequest, form: AssetUploadForm, status: int = 200) -> HttpResponse:
    assets = Asset.objects.for_org(request.org).select_related("uploaded_by")
    context = {"assets": assets, "form": form, "policy": policy_for(request.org)}
    return render_page(request, "content/pages/assets.html", context, status=status)


@org_permission("production.view")
def asset_list(request: OrgRequest) -> HttpResponse:
    return _library(request, AssetUploadForm())


@require_POST
@org_permission("production.work")
def asset_upload(request: OrgRequest) -> HttpResponse:
    form = AssetUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            upload_asset(
                request.org,
                data["file"],
                actor=request.user,
                alt_text=data["alt_text"],
                tags=clean_tags(data["tags"]),
                usage_rights=data["usage_rights"],
                rights_expire_on=data["rights_expire_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Uploaded."))
            return redirect("content:assets", org=request.org.slug)
    return _library(request, form, status=400)


@org_permission("production.work")
def asset_edit(request: OrgRequest, asset_id: str) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.for_org(request.org), pk=asset_id)
    initial = {
        "alt_text": asset.alt_text,
        "tags": ", ".join(asset.tags),
        "usage_rights": asset.usage_rights,
        "rights_expire_on": asset.rights_expire_on,
    }
    form = AssetEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            update_asset(
                asset,
                actor=request.user,
                alt_text=data["alt_text"],
                tags=clean_tags(data["tags"]),
                usage_rights=data["usage_rights"],
                rights_expire_on=data["rights_expire_on"],
            )
            messages.success(request, _("Saved."))
            return redirect("content:assets", org=request.org.slug)
        return render_page(
            request, "content/pages/asset_edit.html", {"form": form, "asset": asset}, status=400
        )
    return render_page(request, "content/pages/asset_edit.html", {"form": form, "asset": asset})


@org_permission("production.view")
def asset_file(request: OrgRequest, asset_id: str) -> HttpResponse:
    """The file itself, only to members who may see production; never from a public URL."""
    asset = get_object_or_404(Asset.objects.for_org(request.org), pk=asset_id)
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    response = FileResponse(handle, content_type=asset.mime_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # A streaming response; `org_permission` is typed for HttpResponse but passes any response through.
    return response  # type: ignore[return-value]


def public_asset_file(request: HttpRequest, token: str) -> FileResponse:
    """An asset at its signed public address (for networks that download media themselves); 404 otherwise."""
    asset = asset_for_token(token)
    if asset is None:
        raise Http404("no such media")
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    response = FileResponse(handle, content_type=asset.mime_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
