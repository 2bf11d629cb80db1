"""Purposes, challenges, metrics and the other fixed lists of the strategy (DOMAIN.md section 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What social media is for in this organization (DOMAIN.md 4.1)."""

    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    PR = "pr", _("PR")
    INSPIRATION = "inspiration", _("Inspiration")
    BRANDING = "branding", _("Branding")


class Challenge(models.TextChoices):
    """The problems a strategy and its goals answer (DOMAIN.md 4.3)."""

    WEAK_TRAFFIC = "weak_traffic", _("Weak website traffic")
    LOW_AWARENESS = "low_awareness", _("Low brand awareness")
    FALLING_LOYALTY = "falling_loyalty", _("Falling customer loyalty")
    REPUTATION = "reputation", _("Poor online reputation")
    SALES = "sales", _("Difficulty selling")
    DIGITAL_READINESS = "digital_readiness", _("Not ready for digital communication")


class Metric(models.TextChoices):
    """What a KPI measures (DOMAIN.md 4.4). `custom` takes its name from the KPI."""

    REACH = "reach", _("Reach")
    IMPRESSIONS = "impressions", _("Impressions")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate")
    FOLLOWERS = "followers", _("Followers")
    LINK_CLICKS = "link_clicks", _("Link clicks")
    CONVERSIONS = "conversions", _("Conversions")
    RESPONSE_TIME = "response_time", _("Response time")
    NEGATIVE_FEEDBACK_SHARE = "negative_feedback_share", _("Share of negative feedback")
    AD_SPEND = "ad_spend", _("Ad spend")
    ROI = "roi", _("ROI")
    CUSTOM = "custom", _("Custom metric")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")


class MeasurementSource(models.TextChoices):
    """Where a measurement came from. Analytics and imports write here too, later."""

    MANUAL = "manual", _("Entered by hand")
    ANALYTICS = "analytics", _("Analytics")
    IMPORT = "import", _("Import")


class ResourceKind(models.TextChoices):
    PERSON = "person", _("Person")
    BUDGET = "budget", _("Budget")
    TOOL = "tool", _("Tool")
    AGENCY = "agency", _("Agency")


# The sections of a strategy, in the order pages show them and diffs compare them.
STRATEGY_SECTIONS = {
    "brand_identity": _("Brand identity"),
    "tone_of_voice": _("Tone of voice"),
    "challenges": _("Challenges"),
    "purposes": _("Purposes"),
    "audiences": _("Audiences"),
    "channels": _("Networks"),
    "hashtags": _("Hashtags"),
}

# More chosen networks than this earns a gentle warning: the sources advise against being everywhere.
RECOMMENDED_MAX_NETWORKS = 4
# Metrics that can honestly go below zero (a loss-making ROI, a custom "change in engagement"); the others
# are counts, shares or amounts, where a negative value is a typo.
SIGNED_METRICS = frozenset({Metric.ROI, Metric.CUSTOM})
# The hashtag rules: at most this many required or banned tags, and a tag is at most this long.
MAX_HASHTAG_RULES = 30
MAX_HASHTAG_LENGTH = 100
# The largest number a KPI, milestone, measurement or frequency accepts; anything above is a typo.
MAX_VALUE = 10**12
