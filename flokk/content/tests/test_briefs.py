"""Briefs: writing them, the state machine, attachments and posts made from them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from flokk.content.choices import BriefStatus
from flokk.content.models import Brief, BriefAttachment, Campaign, Post
from flokk.content.services.briefs import (
    MAX_ATTACHMENT_BYTES,
    BriefConflict,
    BriefInput,
    add_brief_attachment,
    allowed_actions,
    create_brief,
    create_post_from_brief,
    transition_brief,
    update_brief,
)
from flokk.content.services.production import TaskInput, create_task
from flokk.content.tests.helpers import png_bytes
from flokk.core.models import AuditEntry, Notification
from flokk.teams.models import Role
from flokk.teams.services.organizations import create_organization


@pytest.fixture
def planner(member):
    return member("social-media-manager")


@pytest.fixture
def brief(demo, planner) -> Brief:
    return create_brief(demo, BriefInput(title="Spring teaser", purpose="Sign-ups"), actor=planner)


def office_bytes(folder: str, content_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/{folder}main.xml" '
            f'ContentType="{content_type}.main+xml"/></Types>',
        )
        archive.writestr(f"{folder}main.xml", "<xml/>")
    return buffer.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_create_brief_is_a_draft_and_audited(demo, planner):
    campaign = Campaign.objects.for_org(demo).first()
    brief = create_brief(
        demo,
        BriefInput(
            title="  Teaser ",
            purpose="Sign-ups",
            networks=["sandbox", "bluesky"],
            campaign_id=campaign.pk if campaign else None,
        ),
        actor=planner,
    )
    assert brief.status == BriefStatus.DRAFT
    assert brief.title == "Teaser"
    assert brief.networks == ["bluesky", "sandbox"]
    assert AuditEntry.objects.filter(action="content.brief.created", target_id=str(brief.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " ", "purpose": "x"}, "title"),
        ({"title": "x", "purpose": ""}, "purpose"),
        ({"title": "x", "purpose": "x", "networks": ["myspace"]}, "networks"),
    ],
)
def test_create_brief_refuses_missing_or_unknown_values(demo, planner, fields, field):
    with pytest.raises(ValidationError) as caught:
        create_brief(demo, BriefInput(**fields), actor=planner)
    assert field in caught.value.error_dict
    assert not Brief.objects.filter(title="x").exists()


def test_create_brief_refuses_another_organizations_campaign(demo, planner, outsider):
    other = create_organization(name="Third", slug="third", owner=outsider)
    campaign = Campaign.objects.create(
        organization=other, name="Theirs", starts_on="2030-01-01", ends_on="2030-01-02"
    )
    with pytest.raises(ValidationError) as caught:
        create_brief(demo, BriefInput(title="x", purpose="y", campaign_id=campaign.pk), actor=planner)
    assert "campaign_id" in caught.value.error_dict


# (status, action) -> resulting status, or None when the state machine refuses it.
MACHINE = {
    ("draft", "order"): "ordered",
    ("draft", "deliver"): None,
    ("draft", "reopen"): None,
    ("draft", "cancel"): "cancelled",
    ("ordered", "order"): None,
    ("ordered", "deliver"): "delivered",
    ("ordered", "reopen"): None,
    ("ordered", "cancel"): "cancelled",
    ("delivered", "order"): None,
    ("delivered", "deliver"): None,
    ("delivered", "reopen"): "ordered",
    ("delivered", "cancel"): None,
    ("cancelled", "order"): None,
    ("cancelled", "deliver"): None,
    ("cancelled", "reopen"): None,
    ("cancelled", "cancel"): None,
}


@pytest.mark.parametrize(("status", "action"), list(MACHINE))
def test_the_brief_state_machine(brief, planner, status, action):
    Brief.objects.filter(pk=brief.pk).update(status=status)
    brief.refresh_from_db()
    expected = MACHINE[(status, action)]
    assert (action in allowed_actions(brief)) == (expected is not None)
    if expected is None:
        with pytest.raises(BriefConflict):
            transition_brief(brief, action, actor=planner)
        brief.refresh_from_db()
        assert brief.status == status
    else:
        transition_brief(brief, action, actor=planner)
        brief.refresh_from_db()
        assert brief.status == expected
        code = {"order": "ordered", "deliver": "delivered", "reopen": "reopened", "cancel": "cancelled"}[
            action
        ]
        assert AuditEntry.objects.filter(action=f"content.brief.{code}", target_id=str(brief.pk)).exists()


def test_ordering_tells_the_assignees_of_its_tasks(
    demo, brief, planner, member, django_capture_on_commit_callbacks
):
    writer = member("copywriter")
    role = Role.objects.get(organization=demo, key="copywriter")
    with django_capture_on_commit_callbacks(execute=True):
        create_task(
            demo, TaskInput(title="Copy", role_id=role.pk, assignee_id=writer.pk), actor=planner, brief=brief
        )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        transition_brief(brief, "order", actor=planner)
    notes = Notification.objects.filter(action="content.brief.ordered")
    assert [n.recipient for n in notes] == [writer]
    assert "Spring teaser" in notes[0].message


@pytest.mark.parametrize("status", ["delivered", "cancelled"])
def test_closed_briefs_cannot_be_edited(brief, planner, status):
    Brief.objects.filter(pk=brief.pk).update(status=status)
    brief.refresh_from_db()
    with pytest.raises(BriefConflict):
        update_brief(brief, BriefInput(title="New", purpose="p"), actor=planner)
    brief.refresh_from_db()
    assert brief.title == "Spring teaser"


@pytest.mark.parametrize("status", ["draft", "ordered"])
def test_open_briefs_can_be_edited(brief, planner, status):
    Brief.objects.filter(pk=brief.pk).update(status=status)
    brief.refresh_from_db()
    update_brief(brief, BriefInput(title="New", purpose="p", key_message="Hi"), actor=planner)
    brief.refresh_from_db()
    assert (brief.title, brief.key_message) == ("New", "Hi")


# --- attachments ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "mime_type", "extension"),
    [
        (b"%PDF-1.7\n...", "application/pdf", ".pdf"),
        (png_bytes(), "image/png", ".png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg", ".jpg"),
        (b"GIF89a....", "image/gif", ".gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", ".webp"),
        ("Script: hej på dig\n".encode(), "text/plain", ".txt"),
        (office_bytes("word/", DOCX), DOCX, ".docx"),
        (office_bytes("xl/", XLSX), XLSX, ".xlsx"),
        (office_bytes("ppt/", PPTX), PPTX, ".pptx"),
    ],
)
def test_attachments_are_judged_by_content(brief, planner, media_root, content, mime_type, extension):
    upload = SimpleUploadedFile("../../evil name.exe", content, content_type="application/x-evil")
    attachment = add_brief_attachment(brief, upload, actor=planner)
    assert (attachment.mime_type, attachment.extension) == (mime_type, extension)
    assert attachment.original_name == "evil name.exe"  # Django strips the path; kept only for display
    assert attachment.file.name == f"briefs/{brief.organization_id}/{attachment.pk}{extension}"
    assert Path(media_root, attachment.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00binary", "unknown_type"),
        (b"text with a \x00 null", "unknown_type"),
        (b"\xff\xfe not utf-8 \xc3", "unknown_type"),
        (b"PK\x03\x04 not really a zip", "unknown_type"),
        (office_bytes("other/", "application/zip"), "unknown_type"),
        (b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "too_large"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(brief, planner, media_root, content, code):
    before = stored_files(media_root)
    with pytest.raises(ValidationError) as caught:
        add_brief_attachment(brief, SimpleUploadedFile("file.pdf", content), actor=planner)
    assert caught.value.error_dict["file"][0].code == code
    assert not BriefAttachment.objects.exists()
    assert stored_files(media_root) == before


def test_a_bad_attachment_on_create_stores_no_brief(demo, planner, media_root):
    with pytest.raises(ValidationError):
        create_brief(
            demo,
            BriefInput(title="With file", purpose="p"),
            actor=planner,
            attachments=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00 nope")],
        )
    assert not Brief.objects.filter(title="With file").exists()
    assert not BriefAttachment.objects.exists()


# --- posts from briefs ------------------------------------------------------------------------------
def test_a_post_from_a_brief_carries_its_purpose_campaign_and_message(demo, planner):
    campaign = Campaign.objects.for_org(demo).first()
    brief = create_brief(
        demo,
        BriefInput(
            title="T",
            purpose="Sign-ups for Thursday",
            key_message="See it first",
            networks=["sandbox"],
            campaign_id=campaign.pk if campaign else None,
        ),
        actor=planner,
    )
    post = create_post_from_brief(brief, actor=planner)
    post = Post.objects.get(pk=post.pk)
    assert post.brief_id == brief.pk
    assert post.campaign_id == (campaign.pk if campaign else None)
    assert post.objective == "Sign-ups for Thursday"
    assert [v.text for v in post.variants.all()] == ["See it first"]


def test_a_post_from_a_brief_needs_an_account_on_its_networks(demo, planner):
    brief = create_brief(demo, BriefInput(title="T", purpose="p", networks=["linkedin"]), actor=planner)
    with pytest.raises(ValidationError):
        create_post_from_brief(brief, actor=planner)
    assert not Post.objects.filter(brief=brief).exists()
