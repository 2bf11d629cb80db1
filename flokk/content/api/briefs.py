"""Briefs and production tasks: writing them, their transitions (409 when not allowed), the board's tasks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from flokk.channels.networks import Network
from flokk.content.api.common import READ, WRITE, router
from flokk.content.choices import BriefStatus, TaskKind, TaskStatus
from flokk.content.models import Brief, ProductionTask
from flokk.content.services.approval import ApprovalConflict
from flokk.content.services.briefs import BriefInput, create_brief, transition_brief, update_brief
from flokk.content.services.production import (
    TaskInput,
    board_tasks,
    create_task,
    delete_task,
    move_task,
    update_task,
)
from flokk.core.api import Error, ErrorBody
from flokk.teams.api.common import TEXT_PATTERN, OrgSlug
from flokk.teams.permissions import api_access

VIEW = "production.view"
MANAGE = "production_management.work"
TRANSITION: dict[int, Any] = {**WRITE, 409: Error}


# --- schemas ----------------------------------------------------------------------------------------
class BriefIn(Schema):
    title: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    purpose: str = Field(min_length=1, max_length=10000, pattern=TEXT_PATTERN)
    audience: str = Field("", max_length=10000, pattern=TEXT_PATTERN)
    key_message: str = Field("", max_length=10000, pattern=TEXT_PATTERN)
    networks: list[Network] = Field(default_factory=list, max_length=20)
    campaign_id: uuid.UUID | None = None
    goal_id: uuid.UUID | None = None
    due_on: dt.date | None = Field(None, description="When the material is due from the producers")
    publish_on: dt.date | None = None
    asset_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class BriefPatch(Schema):
    """Only the fields sent change."""

    title: str | None = Field(None, min_length=1, max_length=200, pattern=TEXT_PATTERN)
    purpose: str | None = Field(None, min_length=1, max_length=10000, pattern=TEXT_PATTERN)
    audience: str | None = Field(None, max_length=10000, pattern=TEXT_PATTERN)
    key_message: str | None = Field(None, max_length=10000, pattern=TEXT_PATTERN)
    networks: list[Network] | None = Field(None, max_length=20)
    campaign_id: uuid.UUID | None = None
    goal_id: uuid.UUID | None = None
    due_on: dt.date | None = None
    publish_on: dt.date | None = None
    asset_ids: list[uuid.UUID] | None = Field(None, max_length=50)


class AttachmentOut(Schema):
    id: uuid.UUID
    original_name: str
    mime_type: str
    size_bytes: int


class BriefOut(Schema):
    id: uuid.UUID
    title: str
    purpose: str
    audience: str
    key_message: str
    networks: list[str]
    campaign_id: uuid.UUID | None
    goal_id: uuid.UUID | None
    due_on: dt.date | None
    publish_on: dt.date | None
    status: BriefStatus
    asset_ids: list[uuid.UUID]
    attachments: list[AttachmentOut]
    created_by_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    description: str = Field("", max_length=10000, pattern=TEXT_PATTERN)
    kind: TaskKind = TaskKind.COPY
    brief_id: uuid.UUID | None = None
    role_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = Field(None, description="Someone who holds `role_id` here")
    due_on: dt.date | None = None


class TaskPatch(Schema):
    """Only the fields sent change; the brief and the column do not change here (see `move`)."""

    title: str | None = Field(None, min_length=1, max_length=200, pattern=TEXT_PATTERN)
    description: str | None = Field(None, max_length=10000, pattern=TEXT_PATTERN)
    kind: TaskKind | None = None
    role_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    due_on: dt.date | None = None


class TaskOut(Schema):
    id: uuid.UUID
    title: str
    description: str
    kind: TaskKind
    status: TaskStatus
    brief_id: uuid.UUID | None
    post_id: uuid.UUID | None
    role_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    due_on: dt.date | None
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


class MoveIn(Schema):
    status: TaskStatus


# --- converters -------------------------------------------------------------------------------------
def brief_out(brief: Brief) -> BriefOut:
    return BriefOut(
        id=brief.pk,
        title=brief.title,
        purpose=brief.purpose,
        audience=brief.audience,
        key_message=brief.key_message,
        networks=list(brief.networks),
        campaign_id=brief.campaign_id,
        goal_id=brief.goal_id,
        due_on=brief.due_on,
        publish_on=brief.publish_on,
        status=BriefStatus(brief.status),
        asset_ids=[asset.pk for asset in brief.assets.all()],
        attachments=[
            AttachmentOut(
                id=a.pk, original_name=a.original_name, mime_type=a.mime_type, size_bytes=a.size_bytes
            )
            for a in brief.attachments.all()
        ],
        created_by_id=brief.created_by_id,
        created_at=brief.created_at,
        updated_at=brief.updated_at,
    )


def task_out(task: ProductionTask) -> TaskOut:
    return TaskOut(
        id=task.pk,
        title=task.title,
        description=task.description,
        kind=TaskKind(task.kind),
        status=TaskStatus(task.status),
        brief_id=task.brief_id,
        post_id=task.post_id,
        role_id=task.role_id,
        assignee_id=task.assignee_id,
        due_on=task.due_on,
        position=task.position,
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


def _conflict(error: ApprovalConflict) -> Status[Error]:
    return Status(409, Error(error=ErrorBody(code=error.code, message=error.message)))


def _briefs(access: Any) -> Any:
    return Brief.objects.for_org(access.organization).prefetch_related("assets", "attachments")


def _brief_input(brief: Brief, changes: dict[str, Any]) -> BriefInput:
    current = BriefInput(
        title=brief.title,
        purpose=brief.purpose,
        audience=brief.audience,
        key_message=brief.key_message,
        networks=list(brief.networks),
        campaign_id=brief.campaign_id,
        goal_id=brief.goal_id,
        due_on=brief.due_on,
        publish_on=brief.publish_on,
        asset_ids=[asset.pk for asset in brief.assets.all()],
    )
    if "networks" in changes and changes["networks"] is not None:
        changes["networks"] = [str(Network(n).value) for n in changes["networks"]]
    nullable = {"campaign_id", "goal_id", "due_on", "publish_on"}
    return dataclasses.replace(
        current, **{k: v for k, v in changes.items() if v is not None or k in nullable}
    )


# --- briefs -----------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/briefs",
    response={200: list[BriefOut], **READ},
    summary="The organization's briefs, newest first",
    operation_id="flokk_content_api_list_briefs",
)
def list_briefs(request: HttpRequest, org: OrgSlug, status: BriefStatus | None = None) -> list[BriefOut]:
    access = api_access(request, org, VIEW)
    briefs = _briefs(access)
    if status is not None:
        briefs = briefs.filter(status=status)
    return [brief_out(brief) for brief in briefs]


@router.post(
    "/orgs/{org}/briefs",
    response={201: BriefOut, **WRITE},
    summary="Create a draft brief",
    operation_id="flokk_content_api_create_brief",
)
def create_brief_endpoint(request: HttpRequest, org: OrgSlug, payload: BriefIn) -> Status[BriefOut]:
    access = api_access(request, org, MANAGE)
    data = BriefInput(**{**payload.model_dump(), "networks": [str(n.value) for n in payload.networks]})
    brief = create_brief(access.organization, data, actor=access.user)
    return Status(201, brief_out(_briefs(access).get(pk=brief.pk)))


@router.get(
    "/orgs/{org}/briefs/{brief_id}",
    response={200: BriefOut, **READ},
    summary="One brief",
    operation_id="flokk_content_api_get_brief",
)
def get_brief(request: HttpRequest, org: OrgSlug, brief_id: uuid.UUID) -> BriefOut:
    access = api_access(request, org, VIEW)
    return brief_out(get_object_or_404(_briefs(access), pk=brief_id))


@router.patch(
    "/orgs/{org}/briefs/{brief_id}",
    response={200: BriefOut, **TRANSITION},
    summary="Change a draft or ordered brief (409 once it is delivered or cancelled)",
    operation_id="flokk_content_api_update_brief",
)
def update_brief_endpoint(
    request: HttpRequest, org: OrgSlug, brief_id: uuid.UUID, payload: BriefPatch
) -> Any:
    access = api_access(request, org, MANAGE)
    brief = get_object_or_404(_briefs(access), pk=brief_id)
    try:
        update_brief(brief, _brief_input(brief, payload.model_dump(exclude_unset=True)), actor=access.user)
    except ApprovalConflict as error:
        return _conflict(error)
    return brief_out(_briefs(access).get(pk=brief.pk))


def _transition_endpoint(request: HttpRequest, org: str, brief_id: uuid.UUID, action: str) -> Any:
    access = api_access(request, org, MANAGE)
    brief = get_object_or_404(_briefs(access), pk=brief_id)
    try:
        transition_brief(brief, action, actor=access.user)
    except ApprovalConflict as error:
        return _conflict(error)
    return brief_out(_briefs(access).get(pk=brief.pk))


@router.post(
    "/orgs/{org}/briefs/{brief_id}/order",
    response={200: BriefOut, **TRANSITION},
    summary="Send a draft brief to the producers (the assignees of its tasks are told)",
    operation_id="flokk_content_api_order_brief",
)
def order_brief_endpoint(request: HttpRequest, org: OrgSlug, brief_id: uuid.UUID) -> Any:
    return _transition_endpoint(request, org, brief_id, "order")


@router.post(
    "/orgs/{org}/briefs/{brief_id}/deliver",
    response={200: BriefOut, **TRANSITION},
    summary="Mark an ordered brief delivered",
    operation_id="flokk_content_api_deliver_brief",
)
def deliver_brief_endpoint(request: HttpRequest, org: OrgSlug, brief_id: uuid.UUID) -> Any:
    return _transition_endpoint(request, org, brief_id, "deliver")


@router.post(
    "/orgs/{org}/briefs/{brief_id}/cancel",
    response={200: BriefOut, **TRANSITION},
    summary="Cancel a draft or ordered brief",
    operation_id="flokk_content_api_cancel_brief",
)
def cancel_brief_endpoint(request: HttpRequest, org: OrgSlug, brief_id: uuid.UUID) -> Any:
    return _transition_endpoint(request, org, brief_id, "cancel")


@router.post(
    "/orgs/{org}/briefs/{brief_id}/reopen",
    response={200: BriefOut, **TRANSITION},
    summary="Send a delivered brief back to the producers",
    operation_id="flokk_content_api_reopen_brief",
)
def reopen_brief_endpoint(request: HttpRequest, org: OrgSlug, brief_id: uuid.UUID) -> Any:
    return _transition_endpoint(request, org, brief_id, "reopen")


# --- tasks ------------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/tasks",
    response={200: list[TaskOut], **READ},
    summary="The production board's tasks",
    operation_id="flokk_content_api_list_tasks",
)
def list_tasks(
    request: HttpRequest,
    org: OrgSlug,
    status: TaskStatus | None = None,
    assignee: uuid.UUID | None = None,
    brief: uuid.UUID | None = None,
) -> list[TaskOut]:
    access = api_access(request, org, VIEW)
    tasks = board_tasks(
        access.organization,
        assignee_id=str(assignee or ""),
        brief_id=str(brief or ""),
        status=status.value if status else "",
    )
    return [task_out(task) for task in tasks]


@router.post(
    "/orgs/{org}/tasks",
    response={201: TaskOut, **TRANSITION},
    summary="Create a to-do task (409 on a delivered or cancelled brief)",
    operation_id="flokk_content_api_create_task",
)
def create_task_endpoint(request: HttpRequest, org: OrgSlug, payload: TaskIn) -> Any:
    access = api_access(request, org, MANAGE)
    brief = None
    if payload.brief_id is not None:
        brief = get_object_or_404(Brief.objects.for_org(access.organization), pk=payload.brief_id)
    data = TaskInput(
        title=payload.title,
        description=payload.description,
        kind=payload.kind.value,
        role_id=payload.role_id,
        assignee_id=payload.assignee_id,
        due_on=payload.due_on,
    )
    try:
        task = create_task(access.organization, data, actor=access.user, brief=brief)
    except ApprovalConflict as error:
        return _conflict(error)
    return Status(201, task_out(task))


def _task(access: Any, task_id: uuid.UUID) -> ProductionTask:
    return get_object_or_404(ProductionTask.objects.for_org(access.organization), pk=task_id)


@router.get(
    "/orgs/{org}/tasks/{task_id}",
    response={200: TaskOut, **READ},
    summary="One task",
    operation_id="flokk_content_api_get_task",
)
def get_task(request: HttpRequest, org: OrgSlug, task_id: uuid.UUID) -> TaskOut:
    access = api_access(request, org, VIEW)
    return task_out(_task(access, task_id))


@router.patch(
    "/orgs/{org}/tasks/{task_id}",
    response={200: TaskOut, **WRITE},
    summary="Change a task; a new assignee is told",
    operation_id="flokk_content_api_update_task",
)
def update_task_endpoint(
    request: HttpRequest, org: OrgSlug, task_id: uuid.UUID, payload: TaskPatch
) -> TaskOut:
    access = api_access(request, org, MANAGE)
    task = _task(access, task_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("kind") is not None:
        changes["kind"] = TaskKind(changes["kind"]).value
    current = TaskInput(
        title=task.title,
        description=task.description,
        kind=task.kind,
        role_id=task.role_id,
        assignee_id=task.assignee_id,
        due_on=task.due_on,
    )
    allowed_none = {"role_id", "assignee_id", "due_on"}
    data = dataclasses.replace(
        current, **{k: v for k, v in changes.items() if v is not None or k in allowed_none}
    )
    return task_out(update_task(task, data, actor=access.user))


@router.delete(
    "/orgs/{org}/tasks/{task_id}",
    response={204: None, **WRITE},
    summary="Delete a task",
    operation_id="flokk_content_api_delete_task",
)
def delete_task_endpoint(request: HttpRequest, org: OrgSlug, task_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, MANAGE)
    delete_task(_task(access, task_id), actor=access.user)
    return Status(204, None)


@router.post(
    "/orgs/{org}/tasks/{task_id}/move",
    response={200: TaskOut, **TRANSITION},
    summary="Move a task to another column (producers: to do/doing/review; reviewers: done, back, reopen)",
    operation_id="flokk_content_api_move_task",
)
def move_task_endpoint(request: HttpRequest, org: OrgSlug, task_id: uuid.UUID, payload: MoveIn) -> Any:
    access = api_access(request, org, VIEW)
    task = _task(access, task_id)
    try:
        move_task(task, payload.status.value, actor=access.user, access=access)
    except ApprovalConflict as error:
        return _conflict(error)
    return task_out(task)
