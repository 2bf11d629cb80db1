"""Uploading to the asset library: the type is judged by content; refused files leave nothing behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from flokk.content.models import Asset
from flokk.content.services import assets as asset_service
from flokk.content.services.assets import upload_asset
from flokk.content.tests.helpers import image_upload, jpeg_bytes, mp4_bytes, png_bytes


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_image_is_stored_with_its_detected_type(demo, member, media_root):
    asset = upload_asset(
        demo,
        image_upload("holiday.jpg", png_bytes((30, 20))),
        actor=member("copywriter"),
        alt_text="Red square",
    )
    assert asset.mime_type == "image/png"  # the content is PNG whatever the name says
    assert (asset.width, asset.height) == (30, 20)
    assert asset.file.name.endswith(".png")
    assert str(demo.pk) in asset.file.name
    assert len(stored_files(media_root)) == 1


def test_video_is_recognised(demo, member, media_root):
    upload = SimpleUploadedFile("clip.mp4", mp4_bytes(), content_type="video/mp4")
    asset = upload_asset(demo, upload, actor=member("video-producer"))
    assert (asset.kind, asset.mime_type) == ("video", "video/mp4")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("script.jpg", b"#!/bin/sh\necho not an image\n" * 10, "unknown_type"),  # wrong type renamed .jpg
        ("broken.jpg", jpeg_bytes()[:60], "corrupt"),  # truncated JPEG
        ("broken.png", png_bytes()[:40] + b"\x00" * 40, "corrupt"),
        ("empty.png", b"", "empty"),
    ],
)
def test_refused_upload_stores_nothing(demo, member, media_root, name, content, code):
    with pytest.raises(ValidationError) as caught:
        upload_asset(
            demo, SimpleUploadedFile(name, content, content_type="image/jpeg"), actor=member("copywriter")
        )
    assert caught.value.error_dict["file"][0].code == code
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []


def test_oversized_upload_is_refused(demo, member, media_root, monkeypatch):
    monkeypatch.setattr(asset_service, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(ValidationError) as caught:
        upload_asset(demo, image_upload(content=png_bytes((64, 64))), actor=member("copywriter"))
    assert "larger than" in caught.value.messages[0]
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []


def test_database_failure_removes_the_stored_file(demo, member, media_root, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(asset_service, "record", broken)
    with pytest.raises(RuntimeError):
        upload_asset(demo, image_upload(), actor=member("copywriter"))
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []


def test_upload_page_shows_the_error_and_stores_nothing(demo, member, client_for, media_root):
    client = client_for(member("graphic-designer"))
    bad = SimpleUploadedFile(
        "cat.jpg", b"<html>this is not really anything</html>", content_type="image/jpeg"
    )
    response = client.post("/o/demo/assets/upload/", {"file": bad})
    assert response.status_code == 400
    assert "not an image or video" in response.content.decode()
    assert stored_files(media_root) == []
    good = client.post("/o/demo/assets/upload/", {"file": image_upload(), "alt_text": "A red square"})
    assert good.status_code == 302
    assert Asset.objects.get().alt_text == "A red square"


def test_files_are_served_only_to_members(demo, member, client_for, outsider, media_root):
    asset = upload_asset(demo, image_upload(), actor=member("copywriter"))
    url = f"/o/demo/assets/{asset.pk}/file/"
    response = client_for(member("analyst")).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert client_for(member("customer-support")).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 302
    # and nothing under a public media URL
    assert Client().get("/media/" + asset.file.name).status_code == 404


def test_expired_rights_flagged_on_the_asset(demo, member):
    asset = upload_asset(
        demo,
        image_upload(),
        actor=member("copywriter"),
        rights_expire_on=dt.date.today() - dt.timedelta(days=1),
    )
    assert asset.rights_expired()
    assert not upload_asset(demo, image_upload(), actor=member("copywriter")).rights_expired()
