"""The demo organization: one person per built-in role, an agency with limited access, a filled matrix."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from flokk.content.services.demo import seed_content_demo
from flokk.strategy.services.demo import seed_strategy_demo
from flokk.teams.choices import BUILTIN_ROLES, Area
from flokk.teams.models import Membership, Organization, Role, User
from flokk.teams.services.agencies import grant_agency_access
from flokk.teams.services.matrix import apply_team_template
from flokk.teams.services.members import add_member
from flokk.teams.services.organizations import create_organization

DEMO_SLUG = "demo"
AGENCY_SLUG = "demo-agency"
AGENCY_USER = "producer@demo-agency.example"


def demo_email(role_key: str) -> str:
    return f"{role_key}@demo.example"


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, settings.DEMO_PASSWORD, name=name)
    return user


def seed_demo() -> Organization:
    """Create the demo organization (idempotent: returns the existing one). Refused in production."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "The demo organization is for trying Flokk out; it is never seeded in production."
        )
    existing = Organization.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        head = _user(demo_email("head-of-social"), "Hanna Head")
        demo = create_organization(
            name="Demo", slug=DEMO_SLUG, owner=head, time_zone="Europe/Stockholm", is_demo=True
        )
        roles = {role.key: role for role in Role.objects.filter(organization=demo)}
        for key, (name, _description, _grants) in BUILTIN_ROLES.items():
            if key == "head-of-social":
                continue
            user = _user(demo_email(key), f"Demo {name}")
            add_member(demo, user, roles=[roles[key]], actor=head)

        agency_owner = _user(AGENCY_USER, "Alex Agency")
        agency = create_organization(name="Demo Agency", slug=AGENCY_SLUG, owner=agency_owner, is_demo=True)
        agency_roles = Role.objects.filter(
            organization=agency, key__in=["graphic-designer", "paid-media-manager"]
        )
        Membership.objects.get(organization=agency, user=agency_owner).roles.add(*agency_roles)
        access = grant_agency_access(
            demo, agency_slug=AGENCY_SLUG, areas=[Area.PRODUCTION, Area.ADVERTISING], actor=head
        )

        members = {
            m.user.email: m for m in Membership.objects.filter(organization=demo).select_related("user")
        }
        apply_team_template(
            demo,
            template_key="in-house-agency",
            actor=head,
            assignments={
                "lead": members[demo_email("social-media-manager")],
                "community": members[demo_email("community-manager")],
                "analyst": members[demo_email("analyst")],
                "agency": access,
            },
        )
        seed_strategy_demo(demo)
        seed_content_demo(demo)
    return demo


def demo_logins() -> list[str]:
    return [demo_email(key) for key in BUILTIN_ROLES] + [AGENCY_USER]
