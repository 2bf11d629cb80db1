"""Posts: list, create (a draft with a variant per network), read."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status

from flokk.channels.networks import Network
from flokk.content.api.common import (
    READ,
    WRITE,
    PostIn,
    PostOut,
    PostSummary,
    post_out,
    router,
)
from flokk.content.models import Post
from flokk.content.services.posts import PostInput, VariantInput, create_post
from flokk.content.services.scheduling import local_to_utc
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access


# --- posts ------------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/posts",
    response={200: list[PostSummary], **READ},
    summary="The organization's posts, newest first",
    operation_id="flokk_content_api_list_posts",
)
def list_posts(request: HttpRequest, org: OrgSlug) -> list[PostSummary]:
    access = api_access(request, org, "production.view")
    posts = Post.objects.for_org(access.organization).prefetch_related("variants")
    return [
        PostSummary(
            id=p.pk,
            status=p.status,
            objective=p.objective,
            campaign_id=p.campaign_id,
            scheduled_at=p.scheduled_at,
            networks=[Network(v.network) for v in p.variants.all()],
            created_at=p.created_at,
        )
        for p in posts
    ]


@router.post(
    "/orgs/{org}/posts",
    response={201: PostOut, **WRITE},
    summary="Create a draft post with a variant per network of its accounts",
    operation_id="flokk_content_api_create_post",
)
def create_post_endpoint(request: HttpRequest, org: OrgSlug, payload: PostIn) -> Status[PostOut]:
    access = api_access(request, org, "production.work")
    scheduled_at = payload.scheduled_at
    if scheduled_at is not None:
        try:
            scheduled_at = local_to_utc(scheduled_at, access.organization.time_zone)
        except ValidationError as error:
            raise ValidationError({"scheduled_at": error}) from None
    data = PostInput(
        account_ids=payload.account_ids,
        text=payload.text,
        objective=payload.objective,
        campaign_id=payload.campaign_id,
        content_type=payload.content_type,
        tags=payload.tags,
        scheduled_at=scheduled_at,
        variants={
            network.value: VariantInput(
                text=v.text,
                link=v.link,
                first_comment=v.first_comment,
                hashtags=tuple(v.hashtags),
                asset_ids=v.asset_ids,
            )
            for network, v in payload.variants.items()
        },
    )
    post = create_post(access.organization, data, actor=access.user)
    post = Post.objects.with_details().get(pk=post.pk)
    return Status(201, post_out(post))


@router.get(
    "/orgs/{org}/posts/{post_id}",
    response={200: PostOut, **READ},
    summary="One post with its variants and their checks",
    operation_id="flokk_content_api_get_post",
)
def get_post(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> PostOut:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization).with_details(), pk=post_id)
    return post_out(post)
