"""Team templates: starting shapes for the responsibility matrix, from the source articles' team shapes.

Each template is a list of slots. A slot is a person (or, for `party="agency"`, an agency with access) who
gets the slot's roles and its part (R/A/C/I) in each listed area. Choosing a template pre-fills roles and
the matrix; the user adjusts from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from flokk.teams.choices import Area

A = Area
ALL = list(Area)


@dataclass(frozen=True)
class Slot:
    key: str
    label: str | Promise
    roles: tuple[str, ...] = ()
    parts: dict[Area, str] = field(default_factory=dict)
    party: str = "member"


@dataclass(frozen=True)
class TeamTemplate:
    key: str
    name: str | Promise
    description: str | Promise
    slots: tuple[Slot, ...]


def parts(
    responsible: list[Area],
    accountable: tuple[Area, ...] | list[Area] = (),
    consulted: tuple[Area, ...] | list[Area] = (),
    informed: tuple[Area, ...] | list[Area] = (),
) -> dict[Area, str]:
    result: dict[Area, str] = {}
    for letter, areas in (("I", informed), ("C", consulted), ("A", accountable), ("R", responsible)):
        for area in areas:
            result[area] = letter
    return result


def owner_slot(key: str, label: str | Promise, role: str, responsible: list[Area]) -> Slot:
    """The person who runs social media: responsible for `responsible`, accountable for every other area."""
    return Slot(key, label, (role,), parts(responsible, accountable=[a for a in ALL if a not in responsible]))


CONTENT_MANAGER = Slot(
    "content", _("Content manager"), ("content-manager",), parts([A.PRODUCTION_MANAGEMENT, A.PRODUCTION])
)
ANALYST = Slot("analyst", _("Analyst"), ("analyst",), parts([A.ANALYSIS]))
SERVICE_LEAD = owner_slot(
    "lead",
    _("Social media manager"),
    "social-media-manager",
    [A.STRATEGY, A.PLANNING, A.ADMINISTRATION, A.ADVERTISING],
)

TEAM_TEMPLATES: dict[str, TeamTemplate] = {
    t.key: t
    for t in (
        TeamTemplate(
            "solo",
            _("Solo"),
            _("One person carries every area. Common in small companies, but the sources warn against it."),
            (Slot("owner", _("Social media manager"), ("social-media-manager",), parts(ALL)),),
        ),
        TeamTemplate(
            "small-team",
            _("Small team"),
            _(
                "A marketing manager, a coordinator who plans and analyses, and a content manager who also "
                "handles the community."
            ),
            (
                owner_slot("manager", _("Marketing manager"), "head-of-social", [A.STRATEGY, A.ADVERTISING]),
                Slot(
                    "coordinator",
                    _("Marketing coordinator"),
                    ("marketing-coordinator",),
                    parts(
                        [A.PRODUCTION_MANAGEMENT, A.PLANNING, A.ADMINISTRATION, A.ANALYSIS],
                        consulted=[A.STRATEGY],
                    ),
                ),
                Slot(
                    "content",
                    _("Content manager"),
                    ("content-manager",),
                    parts([A.PRODUCTION, A.COMMUNITY, A.INFLUENCERS], consulted=[A.PLANNING]),
                ),
            ),
        ),
        TeamTemplate(
            "customer-service",
            _("Department built from customer service"),
            _("Social media grows out of customer service: care and support answer the public."),
            (
                SERVICE_LEAD,
                Slot("care", _("Care manager"), ("care-manager",), parts([A.COMMUNITY, A.INFLUENCERS])),
                Slot(
                    "support",
                    _("Customer support"),
                    ("customer-support",),
                    parts([], consulted=[A.COMMUNITY]),
                ),
                CONTENT_MANAGER,
                ANALYST,
            ),
        ),
        TeamTemplate(
            "sales",
            _("Department built from sales"),
            _("Social media grows out of sales: leads and social selling come first."),
            (
                owner_slot(
                    "lead",
                    _("Social media manager"),
                    "social-media-manager",
                    [A.STRATEGY, A.PLANNING, A.ADMINISTRATION, A.COMMUNITY],
                ),
                Slot(
                    "sales",
                    _("Sales"),
                    ("sales",),
                    parts([A.INFLUENCERS], consulted=[A.STRATEGY, A.COMMUNITY]),
                ),
                CONTENT_MANAGER,
                Slot(
                    "paid",
                    _("Paid media manager"),
                    ("paid-media-manager",),
                    parts([A.ADVERTISING, A.ANALYSIS]),
                ),
            ),
        ),
        TeamTemplate(
            "hybrid-department",
            _("Hybrid of customer service and sales"),
            _("Customer service cares for the public, sales takes over the leads."),
            (
                SERVICE_LEAD,
                Slot("care", _("Care manager"), ("care-manager",), parts([A.COMMUNITY])),
                Slot("sales", _("Sales"), ("sales",), parts([A.INFLUENCERS], consulted=[A.COMMUNITY])),
                CONTENT_MANAGER,
                ANALYST,
            ),
        ),
        TeamTemplate(
            "agency-run",
            _("Agency-run"),
            _("An agency does the work; the organization keeps strategy and its own production management."),
            (
                owner_slot(
                    "owner", _("Marketing manager"), "head-of-social", [A.STRATEGY, A.PRODUCTION_MANAGEMENT]
                ),
                Slot(
                    "agency",
                    _("Agency"),
                    (),
                    parts(
                        [a for a in ALL if a not in (A.STRATEGY, A.PRODUCTION_MANAGEMENT)],
                        consulted=[A.STRATEGY],
                    ),
                    party="agency",
                ),
            ),
        ),
        TeamTemplate(
            "in-house-agency",
            _("In-house team with an agency"),
            _("The team plans and answers the public; the agency produces and runs the ads."),
            (
                owner_slot(
                    "lead",
                    _("Social media manager"),
                    "social-media-manager",
                    [A.STRATEGY, A.PRODUCTION_MANAGEMENT, A.PLANNING, A.ADMINISTRATION],
                ),
                Slot(
                    "community",
                    _("Community manager"),
                    ("community-manager",),
                    parts([A.COMMUNITY, A.INFLUENCERS]),
                ),
                ANALYST,
                Slot(
                    "agency",
                    _("Agency"),
                    (),
                    parts([A.PRODUCTION, A.ADVERTISING], consulted=[A.ANALYSIS]),
                    party="agency",
                ),
            ),
        ),
    )
}
