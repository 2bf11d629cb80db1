"""Builders shared by the content and channels tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from flokk.channels.models import Account
from flokk.channels.services.accounts import add_sandbox_account
from flokk.content.models import Asset
from flokk.content.services.assets import upload_asset
from flokk.teams.models import Organization, User


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def mp4_bytes() -> bytes:
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64


def image_upload(name: str = "photo.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type="image/png")


def sandbox(org: Organization, actor: User, handle: str = "brand") -> Account:
    return add_sandbox_account(org, handle=handle, display_name=handle.title(), actor=actor)


def network_account(org: Organization, network: str, handle: str | None = None) -> Account:
    """An account on a real network, as the publishing connectors will create them (not addable in the UI)."""
    return Account.objects.create(organization=org, network=network, handle=handle or f"{network}-brand")


def asset(org: Organization, actor: User, **fields: object) -> Asset:
    return upload_asset(org, image_upload(), actor=actor, **fields)  # type: ignore[arg-type]
