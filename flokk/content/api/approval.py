"""Approval transitions of a post: submit, approve, request changes, reject (409 when not allowed)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from flokk.content.api.common import (
    WRITE,
    PostOut,
    post_out,
    router,
)
from flokk.content.models import Post
from flokk.content.services.approval import (
    ApprovalConflict,
    approve_step,
    reject,
    request_changes,
    submit_for_approval,
)
from flokk.core.api import Error, ErrorBody
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access

# --- approval ---------------------------------------------------------------------------------------
TRANSITION: dict[int, Any] = {**WRITE, 409: Error}


class CommentIn(Schema):
    comment: str = Field(..., min_length=1, max_length=5000)


class OptionalCommentIn(Schema):
    comment: str = Field("", max_length=5000)


def _conflict(error: ApprovalConflict) -> Status[Error]:
    return Status(409, Error(error=ErrorBody(code=error.code, message=error.message)))


def _reloaded(post: Post) -> PostOut:
    return post_out(Post.objects.with_details().get(pk=post.pk))


@router.post(
    "/orgs/{org}/posts/{post_id}/submit",
    response={200: PostOut, **TRANSITION},
    summary="Submit a post for approval (check errors block it with 422)",
    operation_id="flokk_content_api_submit_post",
)
def submit_post_endpoint(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> Any:
    access = api_access(request, org, "production.work")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        submit_for_approval(post, actor=access.user)
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


@router.post(
    "/orgs/{org}/posts/{post_id}/approve",
    response={200: PostOut, **TRANSITION},
    summary="Approve the current approval step",
    operation_id="flokk_content_api_approve_post",
)
def approve_post_endpoint(
    request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: OptionalCommentIn | None = None
) -> Any:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        approve_step(post, actor=access.user, comment=payload.comment if payload else "")
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


@router.post(
    "/orgs/{org}/posts/{post_id}/request-changes",
    response={200: PostOut, **TRANSITION},
    summary="Send the post back to its author with a comment",
    operation_id="flokk_content_api_request_changes",
)
def request_changes_endpoint(
    request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: CommentIn
) -> Any:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        request_changes(post, actor=access.user, comment=payload.comment)
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


@router.post(
    "/orgs/{org}/posts/{post_id}/reject",
    response={200: PostOut, **TRANSITION},
    summary="Reject the post, with a reason",
    operation_id="flokk_content_api_reject_post",
)
def reject_post_endpoint(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: CommentIn) -> Any:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        reject(post, actor=access.user, comment=payload.comment)
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)
