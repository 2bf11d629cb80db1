"""Campaigns with their budget lines."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status

from flokk.content.api.common import (
    READ,
    WRITE,
    CampaignIn,
    CampaignOut,
    _campaign_input,
    campaign_out,
    router,
)
from flokk.content.models import Campaign
from flokk.content.services.campaigns import (
    create_campaign,
    delete_campaign,
    update_campaign,
)
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access


# --- campaigns --------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/campaigns",
    response={200: list[CampaignOut], **READ},
    summary="The organization's campaigns",
    operation_id="flokk_content_api_list_campaigns",
)
def list_campaigns(request: HttpRequest, org: OrgSlug) -> list[CampaignOut]:
    access = api_access(request, org, "planning.view")
    campaigns = Campaign.objects.for_org(access.organization).prefetch_related("budget_lines")
    return [campaign_out(c) for c in campaigns]


@router.post(
    "/orgs/{org}/campaigns",
    response={201: CampaignOut, **WRITE},
    summary="Create a campaign",
    operation_id="flokk_content_api_create_campaign",
)
def create_campaign_endpoint(request: HttpRequest, org: OrgSlug, payload: CampaignIn) -> Status[CampaignOut]:
    access = api_access(request, org, "planning.work")
    campaign = create_campaign(access.organization, _campaign_input(payload), actor=access.user)
    return Status(201, campaign_out(campaign))


@router.get(
    "/orgs/{org}/campaigns/{campaign_id}",
    response={200: CampaignOut, **READ},
    summary="One campaign",
    operation_id="flokk_content_api_get_campaign",
)
def get_campaign(request: HttpRequest, org: OrgSlug, campaign_id: uuid.UUID) -> CampaignOut:
    access = api_access(request, org, "planning.view")
    campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=campaign_id)
    return campaign_out(campaign)


@router.put(
    "/orgs/{org}/campaigns/{campaign_id}",
    response={200: CampaignOut, **WRITE},
    summary="Replace a campaign (its budget lines too)",
    operation_id="flokk_content_api_update_campaign",
)
def update_campaign_endpoint(
    request: HttpRequest, org: OrgSlug, campaign_id: uuid.UUID, payload: CampaignIn
) -> CampaignOut:
    access = api_access(request, org, "planning.work")
    campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=campaign_id)
    return campaign_out(update_campaign(campaign, _campaign_input(payload), actor=access.user))


@router.delete(
    "/orgs/{org}/campaigns/{campaign_id}",
    response={204: None, **READ},
    summary="Delete a campaign; its posts stay without one",
    operation_id="flokk_content_api_delete_campaign",
)
def delete_campaign_endpoint(request: HttpRequest, org: OrgSlug, campaign_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "planning.work")
    campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=campaign_id)
    delete_campaign(campaign, actor=access.user)
    return Status(204, None)
