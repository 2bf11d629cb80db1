"""The asset library: list and upload."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Status
from ninja.files import UploadedFile

from flokk.content.api.common import (
    READ,
    WRITE,
    AssetMeta,
    AssetOut,
    asset_out,
    router,
)
from flokk.content.models import Asset
from flokk.content.services.assets import upload_asset
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access


# --- assets -----------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/assets",
    response={200: list[AssetOut], **READ},
    summary="The organization's media library",
    operation_id="flokk_content_api_list_assets",
)
def list_assets(request: HttpRequest, org: OrgSlug) -> list[AssetOut]:
    access = api_access(request, org, "production.view")
    return [asset_out(a) for a in Asset.objects.for_org(access.organization)]


@router.post(
    "/orgs/{org}/assets",
    response={201: AssetOut, **WRITE},
    summary="Upload an image or video (multipart); the type is judged from the content",
    operation_id="flokk_content_api_upload_asset",
)
def upload_asset_endpoint(
    request: HttpRequest, org: OrgSlug, file: File[UploadedFile], meta: Form[AssetMeta]
) -> Status[AssetOut]:
    access = api_access(request, org, "production.work")
    asset = upload_asset(
        access.organization,
        file,
        actor=access.user,
        alt_text=meta.alt_text,
        tags=[t for t in meta.tags.split(",") if t.strip()],
        usage_rights=meta.usage_rights,
        rights_expire_on=meta.rights_expire_on,
    )
    return Status(201, asset_out(asset))
