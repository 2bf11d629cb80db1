"""Responsibility areas, permission levels, RACI parts and the built-in roles."""

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Area(models.TextChoices):
    """The nine responsibility areas of social-media work (DOMAIN.md section 2)."""

    STRATEGY = "strategy", _("Strategy")
    PRODUCTION_MANAGEMENT = "production_management", _("Production management")
    PLANNING = "planning", _("Planning")
    PRODUCTION = "production", _("Production")
    ADMINISTRATION = "administration", _("Administration")
    COMMUNITY = "community", _("Community & care")
    ADVERTISING = "advertising", _("Advertising")
    ANALYSIS = "analysis", _("Analysis")
    INFLUENCERS = "influencers", _("Influencers")


class Level(models.IntegerChoices):
    """What a role may do in an area. Each level includes the ones below it."""

    NONE = 0, _("No access")
    VIEW = 1, _("View")
    WORK = 2, _("Work")
    APPROVE = 3, _("Approve")
    MANAGE = 4, _("Manage")


LEVEL_BY_NAME = {"view": Level.VIEW, "work": Level.WORK, "approve": Level.APPROVE, "manage": Level.MANAGE}


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


A = Area
V, W, P, M = Level.VIEW, Level.WORK, Level.APPROVE, Level.MANAGE
ALL_VIEW = {area: V for area in Area}

# Built-in roles: stable key -> (name, description, grants per area). Names come from the source articles.
BUILTIN_ROLES: dict[str, tuple[str | Promise, str | Promise, dict[Area, Level]]] = {
    "head-of-social": (
        _("Head of social media"),
        _("Overall responsibility for social media, strategy and the team."),
        {area: M for area in Area},
    ),
    "social-media-manager": (
        _("Social media manager"),
        _("Plans, administers and leads the daily work; has the final say before publishing."),
        {
            **ALL_VIEW,
            A.STRATEGY: P,
            A.PRODUCTION_MANAGEMENT: M,
            A.PLANNING: M,
            A.PRODUCTION: P,
            A.ADMINISTRATION: M,
            A.COMMUNITY: M,
            A.ADVERTISING: P,
            A.ANALYSIS: W,
            A.INFLUENCERS: M,
        },
    ),
    "communications-lead": (
        _("Communications lead"),
        _("Owns the message, plans communication and leads crisis preparedness."),
        {
            **ALL_VIEW,
            A.STRATEGY: P,
            A.PRODUCTION_MANAGEMENT: W,
            A.PLANNING: P,
            A.PRODUCTION: P,
            A.COMMUNITY: P,
        },
    ),
    "marketing-coordinator": (
        _("Marketing coordinator"),
        _("Coordinates production with the organization's other marketing; administers accounts."),
        {
            **ALL_VIEW,
            A.PRODUCTION_MANAGEMENT: M,
            A.PLANNING: W,
            A.ADMINISTRATION: W,
            A.COMMUNITY: W,
            A.ANALYSIS: W,
        },
    ),
    "content-manager": (
        _("Content manager"),
        _("Editor of the content: orders, reviews and approves what producers make."),
        {**ALL_VIEW, A.PRODUCTION_MANAGEMENT: W, A.PLANNING: W, A.PRODUCTION: P, A.COMMUNITY: W},
    ),
    "copywriter": (
        _("Copywriter"),
        _("Writes the copy for posts from a brief."),
        {A.STRATEGY: V, A.PLANNING: V, A.PRODUCTION: W},
    ),
    "graphic-designer": (
        _("Graphic designer"),
        _("Makes images and graphics for posts from a brief."),
        {A.STRATEGY: V, A.PLANNING: V, A.PRODUCTION: W},
    ),
    "video-producer": (
        _("Video producer"),
        _("Makes video for posts from a brief."),
        {A.STRATEGY: V, A.PLANNING: V, A.PRODUCTION: W},
    ),
    "community-manager": (
        _("Community manager"),
        _("Answers the public, builds relationships and cares for ambassadors."),
        {A.STRATEGY: V, A.PLANNING: V, A.COMMUNITY: M, A.ANALYSIS: V, A.INFLUENCERS: W},
    ),
    "care-manager": (
        _("Care manager"),
        _("Looks after the most devoted followers and customers."),
        {A.STRATEGY: V, A.PLANNING: V, A.COMMUNITY: P, A.ANALYSIS: V, A.INFLUENCERS: W},
    ),
    "customer-support": (
        _("Customer support"),
        _("Answers service questions that arrive through social media."),
        {A.STRATEGY: V, A.COMMUNITY: W},
    ),
    "paid-media-manager": (
        _("Paid media manager"),
        _("Plans and runs advertising: audiences, budgets, A/B tests."),
        {A.STRATEGY: V, A.PLANNING: V, A.PRODUCTION: V, A.ADVERTISING: M, A.ANALYSIS: W},
    ),
    "analyst": (
        _("Analyst"),
        _("Collects and analyses statistics and reports the results."),
        {**ALL_VIEW, A.ANALYSIS: M},
    ),
    "sales": (
        _("Sales"),
        _("Takes over leads from social media and sells there."),
        {A.STRATEGY: V, A.COMMUNITY: W, A.ANALYSIS: V},
    ),
    "management": (
        _("Management"),
        _("Read-only overview of goals, plans and results."),
        dict(ALL_VIEW),
    ),
}
ADMIN_ROLE_KEYS = frozenset({"head-of-social"})
