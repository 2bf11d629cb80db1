"""The asset library: uploading images and video, describing them, their usage rights."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from flokk.content.choices import AssetKind
from flokk.content.models import Asset
from flokk.core.audit import record
from flokk.teams.models import Organization, User

MB = 1024 * 1024
# The library's own ceilings; each network's smaller limits are checks on the variant.
MAX_IMAGE_BYTES = 20 * MB
MAX_VIDEO_BYTES = 1024 * MB
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Inspected:
    kind: str
    mime_type: str
    width: int | None = None
    height: int | None = None


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _video_type(head: bytes) -> str | None:
    # ISO base media (MP4/QuickTime): a box size, then "ftyp", then the brand.
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    return None


def _looks_like_image(head: bytes) -> bool:
    """The signature of an image format we take: then a file Pillow cannot read is a damaged image."""
    return head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    )


def inspect_upload(upload: UploadedFile[bytes]) -> Inspected:
    """What the file really is, judged by its content (the name and the browser's type are ignored).

    Raises ValidationError for files that are too large, of an unknown type, or damaged images.
    """
    size = upload.size or 0
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    video = _video_type(head)
    if video is not None:
        if size > MAX_VIDEO_BYTES:
            raise _refuse(
                _("The video is larger than %(max)s MB.") % {"max": MAX_VIDEO_BYTES // MB}, "too_large"
            )
        return Inspected(AssetKind.VIDEO, video)
    if size > MAX_IMAGE_BYTES:
        raise _refuse(_("The image is larger than %(max)s MB.") % {"max": MAX_IMAGE_BYTES // MB}, "too_large")
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # verify() does not decode the pixels; a truncated file fails only here
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError):
        if _looks_like_image(head):
            raise _refuse(_("The image is damaged and cannot be read."), "corrupt") from None
        raise _refuse(
            _("This file is not an image or video Flokk can use (JPEG, PNG, GIF, WebP, MP4, MOV)."),
            "unknown_type",
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse(_("The image is damaged and cannot be read."), "corrupt") from None
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise _refuse(
            _("This file is not an image or video Flokk can use (JPEG, PNG, GIF, WebP, MP4, MOV)."),
            "unknown_type",
        )
    return Inspected(AssetKind.IMAGE, IMAGE_FORMATS[image_format], width, height)


def clean_tags(value: str | list[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    return sorted({item.strip()[:50] for item in items if item.strip()})


def upload_asset(
    organization: Organization,
    upload: UploadedFile[bytes],
    *,
    actor: User,
    alt_text: str = "",
    tags: list[str] | None = None,
    usage_rights: str = "",
    rights_expire_on: dt.date | None = None,
) -> Asset:
    """Store a checked upload in the library. A refused file leaves nothing behind: no row, no file."""
    inspected = inspect_upload(upload)
    asset = Asset(
        id=uuid.uuid4(),
        organization=organization,
        original_name=(upload.name or "upload")[:255],
        kind=inspected.kind,
        mime_type=inspected.mime_type,
        size_bytes=upload.size or 0,
        width=inspected.width,
        height=inspected.height,
        alt_text=alt_text.strip(),
        tags=clean_tags(tags or []),
        usage_rights=usage_rights.strip(),
        rights_expire_on=rights_expire_on,
        uploaded_by=actor,
    )
    stored_name = ""
    try:
        with transaction.atomic():
            asset.file.save("upload", upload, save=False)
            stored_name = asset.file.name or ""
            asset.save(force_insert=True)
            record(
                "content.asset.uploaded",
                organization=organization,
                actor=actor,
                target=asset,
                data={"type": asset.mime_type, "bytes": asset.size_bytes},
            )
    except Exception:
        if stored_name:
            asset.file.storage.delete(stored_name)
        raise
    return asset


def update_asset(
    asset: Asset,
    *,
    actor: User,
    alt_text: str,
    tags: list[str],
    usage_rights: str,
    rights_expire_on: dt.date | None,
) -> Asset:
    """Change an asset's description and rights."""
    with transaction.atomic():
        asset.alt_text = alt_text.strip()
        asset.tags = clean_tags(tags)
        asset.usage_rights = usage_rights.strip()
        asset.rights_expire_on = rights_expire_on
        asset.save(update_fields=["alt_text", "tags", "usage_rights", "rights_expire_on", "updated_at"])
        record("content.asset.updated", organization=asset.organization, actor=actor, target=asset)
    return asset
