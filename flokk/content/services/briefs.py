"""Briefs: writing them, their state machine, their attachments, and posts made from them.

States: draft -> ordered (sent to producers) -> delivered; delivered -> ordered (reopened); draft or
ordered -> cancelled. Nothing else: a refused transition raises `BriefConflict` (the API answers 409).
Fields can be edited while the brief is a draft or ordered. Permissions are checked by the callers (views
and API: `production_management.work`); the services check what depends on the object's state.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.choices import BriefStatus
from flokk.content.models import Asset, Brief, BriefAttachment, Campaign, Post
from flokk.content.services.approval import ApprovalConflict
from flokk.content.services.posts import PostInput, create_post
from flokk.core.audit import record
from flokk.core.notifications import notify
from flokk.strategy.models import Goal
from flokk.teams.models import Organization, User

MB = 1024 * 1024
MAX_ATTACHMENT_BYTES = 20 * MB
EDITABLE = frozenset({BriefStatus.DRAFT, BriefStatus.ORDERED})
# (from, to) pairs the state machine allows, by action.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "order": (frozenset({BriefStatus.DRAFT}), BriefStatus.ORDERED),
    "deliver": (frozenset({BriefStatus.ORDERED}), BriefStatus.DELIVERED),
    "reopen": (frozenset({BriefStatus.DELIVERED}), BriefStatus.ORDERED),
    "cancel": (frozenset({BriefStatus.DRAFT, BriefStatus.ORDERED}), BriefStatus.CANCELLED),
}
AUDIT_CODES = {
    "order": "content.brief.ordered",
    "deliver": "content.brief.delivered",
    "reopen": "content.brief.reopened",
    "cancel": "content.brief.cancelled",
}


class BriefConflict(ApprovalConflict):
    """A brief or production task is not in a state that allows this change (the API answers 409).

    A subclass of the approval conflict so every view and API handler treats both the same way.
    """


@dataclass
class BriefInput:
    """Everything a person sets on a brief."""

    title: str
    purpose: str
    audience: str = ""
    key_message: str = ""
    networks: list[str] = field(default_factory=list)
    campaign_id: uuid.UUID | None = None
    goal_id: uuid.UUID | None = None
    due_on: dt.date | None = None
    publish_on: dt.date | None = None
    asset_ids: list[uuid.UUID] = field(default_factory=list)


def _invalid(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def allowed_actions(brief: Brief) -> list[str]:
    """The transitions the brief's current state allows, in display order."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if brief.status in sources]


def brief_url(brief: Brief) -> str:
    return reverse("content:brief_detail", args=[brief.organization.slug, brief.pk])


# --- attachments: what a document really is ---------------------------------------------------------
@dataclass(frozen=True)
class Document:
    mime_type: str
    extension: str


OFFICE_TYPES = {
    "word/": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
}


def _refuse(message: str, code: str) -> ValidationError:
    return _invalid("file", message, code)


def _office_type(upload: UploadedFile[bytes]) -> Document | None:
    """A DOCX/XLSX/PPTX: a ZIP whose `[Content_Types].xml` declares the main part of that format."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as part:
                declared = part.read(256 * 1024).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    for folder, (mime_type, extension) in OFFICE_TYPES.items():
        if mime_type in declared and any(name.startswith(folder) for name in names):
            return Document(mime_type, extension)
    return None


def _is_utf8_text(upload: UploadedFile[bytes]) -> bool:
    upload.seek(0)
    data = upload.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # Control characters other than whitespace mean a binary file that happens to decode.
    return not any(ord(char) < 32 and char not in "\t\n\r\f" for char in text)


def inspect_document(upload: UploadedFile[bytes]) -> Document:
    """What an attachment really is, judged by its content; the name and the browser's type are ignored.

    Takes PDF, PNG, JPEG, GIF, WebP, UTF-8 text and DOCX/XLSX/PPTX up to 20 MB; raises ValidationError
    for anything else.
    """
    size = upload.size or 0
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    if size > MAX_ATTACHMENT_BYTES:
        raise _refuse(
            _("The file is larger than %(max)s MB.") % {"max": MAX_ATTACHMENT_BYTES // MB}, "too_large"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return Document("application/pdf", ".pdf")
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return Document("image/png", ".png")
        if head.startswith(b"\xff\xd8\xff"):
            return Document("image/jpeg", ".jpg")
        if head.startswith((b"GIF87a", b"GIF89a")):
            return Document("image/gif", ".gif")
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return Document("image/webp", ".webp")
        if head.startswith(b"PK\x03\x04"):
            office = _office_type(upload)
            if office is not None:
                return office
        elif _is_utf8_text(upload):
            return Document("text/plain", ".txt")
    finally:
        upload.seek(0)
    raise _refuse(
        _(
            "This file type cannot be attached. Use PDF, an image (PNG, JPEG, GIF, WebP), "
            "plain text, or a Word, Excel or PowerPoint document."
        ),
        "unknown_type",
    )


def _store_attachments(
    brief: Brief, uploads: Sequence[tuple[UploadedFile[bytes], Document]], actor: User, stored: list[str]
) -> list[BriefAttachment]:
    created = []
    for upload, document in uploads:
        attachment = BriefAttachment(
            id=uuid.uuid4(),
            organization=brief.organization,
            brief=brief,
            original_name=(upload.name or "attachment")[:255],
            mime_type=document.mime_type,
            extension=document.extension,
            size_bytes=upload.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save("attachment", upload, save=False)  # the name comes from brief_attachment_path
        stored.append(attachment.file.name or "")
        attachment.save(force_insert=True)
        record(
            "content.brief.attachment_added",
            organization=brief.organization,
            actor=actor,
            target=brief,
            data={"type": document.mime_type, "bytes": attachment.size_bytes},
        )
        created.append(attachment)
    return created


def _delete_files(names: list[str]) -> None:
    storage = BriefAttachment._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


def add_brief_attachment(brief: Brief, upload: UploadedFile[bytes], *, actor: User) -> BriefAttachment:
    """Attach a checked document; a refused file leaves nothing behind (no row, no file)."""
    if brief.status not in EDITABLE:
        raise BriefConflict(_("This brief can no longer be changed."), code="not_editable")
    document = inspect_document(upload)
    stored: list[str] = []
    try:
        with transaction.atomic():
            (attachment,) = _store_attachments(brief, [(upload, document)], actor, stored)
    except Exception:
        _delete_files(stored)
        raise
    return attachment


def remove_brief_attachment(attachment: BriefAttachment, *, actor: User) -> None:
    """Delete the attachment and its file."""
    brief = attachment.brief
    if brief.status not in EDITABLE:
        raise BriefConflict(_("This brief can no longer be changed."), code="not_editable")
    name = attachment.file.name or ""
    with transaction.atomic():
        record(
            "content.brief.attachment_removed",
            organization=brief.organization,
            actor=actor,
            target=brief,
            data={"name": attachment.original_name},
        )
        attachment.delete()
        transaction.on_commit(lambda: _delete_files([name]))


# --- writing briefs ---------------------------------------------------------------------------------
def _resolve(
    organization: Organization, data: BriefInput
) -> tuple[Campaign | None, Goal | None, list[Asset]]:
    if not data.title.strip():
        raise _invalid("title", _("Give the brief a title."), "required")
    if not data.purpose.strip():
        raise _invalid("purpose", _("Say why this content is made."), "required")
    unknown = [network for network in data.networks if network not in Network.values]
    if unknown:
        raise _invalid("networks", _("Unknown network: %(name)s.") % {"name": unknown[0]}, "unknown_network")
    campaign = None
    if data.campaign_id is not None:
        campaign = Campaign.objects.for_org(organization).filter(pk=data.campaign_id).first()
        if campaign is None:
            raise _invalid("campaign_id", _("No such campaign."), "unknown_campaign")
    goal = None
    if data.goal_id is not None:
        goal = Goal.objects.for_org(organization).filter(pk=data.goal_id).first()
        if goal is None:
            raise _invalid("goal_id", _("No such goal."), "unknown_goal")
    if data.due_on and data.publish_on and data.due_on > data.publish_on:
        raise _invalid("due_on", _("The material must be due before it is published."), "due_after_publish")
    wanted = set(data.asset_ids)
    assets = list(Asset.objects.for_org(organization).filter(pk__in=wanted))
    if len(assets) != len(wanted):
        raise _invalid(
            "asset_ids", _("One of the media files is not in this organization's library."), "unknown_asset"
        )
    return campaign, goal, assets


def _apply(brief: Brief, data: BriefInput, campaign: Campaign | None, goal: Goal | None) -> None:
    brief.title = data.title.strip()[:200]
    brief.purpose = data.purpose.strip()
    brief.audience = data.audience.strip()
    brief.key_message = data.key_message.strip()
    brief.networks = sorted(set(data.networks))
    brief.campaign = campaign
    brief.goal = goal
    brief.due_on = data.due_on
    brief.publish_on = data.publish_on


def create_brief(
    organization: Organization,
    data: BriefInput,
    *,
    actor: User,
    attachments: Sequence[UploadedFile[bytes]] = (),
) -> Brief:
    """A new draft brief; attachments are checked first, so a refused file stores nothing at all."""
    campaign, goal, assets = _resolve(organization, data)
    documents = [(upload, inspect_document(upload)) for upload in attachments]
    stored: list[str] = []
    try:
        with transaction.atomic():
            brief = Brief(organization=organization, created_by=actor, status=BriefStatus.DRAFT)
            _apply(brief, data, campaign, goal)
            brief.save()
            brief.assets.set(assets)
            record(
                "content.brief.created",
                organization=organization,
                actor=actor,
                target=brief,
                data={"networks": brief.networks},
            )
            _store_attachments(brief, documents, actor, stored)
    except Exception:
        _delete_files(stored)
        raise
    return brief


def update_brief(
    brief: Brief, data: BriefInput, *, actor: User, attachments: Sequence[UploadedFile[bytes]] = ()
) -> Brief:
    """Change a draft or ordered brief (delivered and cancelled briefs are closed: BriefConflict)."""
    if brief.status not in EDITABLE:
        raise BriefConflict(
            _("This brief is %(status)s and can no longer be edited.")
            % {"status": brief.get_status_display()},
            code="not_editable",
        )
    campaign, goal, assets = _resolve(brief.organization, data)
    documents = [(upload, inspect_document(upload)) for upload in attachments]
    stored: list[str] = []
    try:
        with transaction.atomic():
            _apply(brief, data, campaign, goal)
            brief.save()
            brief.assets.set(assets)
            record("content.brief.updated", organization=brief.organization, actor=actor, target=brief)
            _store_attachments(brief, documents, actor, stored)
    except Exception:
        _delete_files(stored)
        raise
    return brief


# --- the state machine ------------------------------------------------------------------------------
def _transition(
    brief: Brief, action: str, *, actor: User | None, data: dict[str, object] | None = None
) -> Brief:
    sources, target = TRANSITIONS[action]
    locked = Brief.objects.select_for_update().get(pk=brief.pk)
    if locked.status not in sources:
        raise BriefConflict(
            _("A brief that is %(status)s cannot be %(target)s.")
            % {"status": locked.get_status_display().lower(), "target": BriefStatus(target).label.lower()}
        )
    brief.status = target
    brief.save(update_fields=["status", "updated_at"])
    record(
        AUDIT_CODES[action],
        organization=brief.organization,
        actor=actor,
        target=brief,
        data={"from": locked.status, **(data or {})},
    )
    return brief


def order_brief(brief: Brief, *, actor: User) -> Brief:
    """Send a draft to the producers: the assignees of its tasks are notified."""
    with transaction.atomic():
        _transition(brief, "order", actor=actor)
        assignees = [
            task.assignee for task in brief.tasks.select_related("assignee") if task.assignee_id is not None
        ]
        title = brief.title
        notify(
            [person for person in assignees if person is not None and person.pk != actor.pk],
            organization=brief.organization,
            action="content.brief.ordered",
            message=lambda: _("New brief for you: %(title)s") % {"title": title},
            url=brief_url(brief),
        )
    return brief


def _notify_creator_delivered(brief: Brief, actor: User | None) -> None:
    creator = brief.created_by
    if creator is None or (actor is not None and creator.pk == actor.pk):
        return
    title = brief.title
    notify(
        [creator],
        organization=brief.organization,
        action="content.brief.delivered",
        message=lambda: _("Brief delivered: %(title)s") % {"title": title},
        url=brief_url(brief),
    )


def deliver_brief(brief: Brief, *, actor: User | None, automatic: bool = False) -> Brief:
    """Mark an ordered brief delivered (by hand, or when its last task is done); tells its creator."""
    with transaction.atomic():
        _transition(brief, "deliver", actor=actor, data={"automatic": automatic})
        _notify_creator_delivered(brief, actor)
    return brief


def reopen_brief(brief: Brief, *, actor: User) -> Brief:
    """Send a delivered brief back to the producers (ordered again)."""
    with transaction.atomic():
        _transition(brief, "reopen", actor=actor)
    return brief


def cancel_brief(brief: Brief, *, actor: User) -> Brief:
    """Cancel a draft or ordered brief; its open tasks stay on the board until someone removes them."""
    with transaction.atomic():
        _transition(brief, "cancel", actor=actor)
    return brief


def transition_brief(brief: Brief, action: str, *, actor: User) -> Brief:
    """Run the named transition (`order`, `deliver`, `reopen`, `cancel`)."""
    services = {
        "order": order_brief,
        "deliver": deliver_brief,
        "reopen": reopen_brief,
        "cancel": cancel_brief,
    }
    if action not in services:
        raise BriefConflict(_("Unknown action."), code="unknown_action")
    return services[action](brief, actor=actor)


# --- posts from briefs ------------------------------------------------------------------------------
def create_post_from_brief(brief: Brief, *, actor: User) -> Post:
    """A draft post for the brief's networks, its key message as text, its purpose and campaign prefilled."""
    if brief.status == BriefStatus.CANCELLED:
        raise BriefConflict(_("This brief is cancelled."), code="cancelled")
    accounts = Account.objects.for_org(brief.organization).usable()
    if brief.networks:
        accounts = accounts.filter(network__in=brief.networks)
    account_ids = list(accounts.values_list("pk", flat=True))
    if not account_ids:
        raise ValidationError(
            _("Connect an account on one of the brief's networks before making a post from it."),
            code="no_account",
        )
    with transaction.atomic():
        post = create_post(
            brief.organization,
            PostInput(
                account_ids=account_ids,
                text=brief.key_message,
                objective=(brief.purpose.strip() or brief.title)[:500],
                campaign_id=brief.campaign_id,
            ),
            actor=actor,
        )
        post.brief = brief
        post.save(update_fields=["brief", "updated_at"])
        record(
            "content.brief.post_created",
            organization=brief.organization,
            actor=actor,
            target=brief,
            data={"post": str(post.pk)},
        )
    return post
