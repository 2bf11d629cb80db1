"""API v1 against its own OpenAPI schema: schemathesis sends generated requests (valid and invalid) to every
operation in-process, as the demo's head of social, and checks that none fails with a 5xx, that every
status code is documented, and that every body matches its documented schema.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from flokk.teams.choices import Level
from flokk.teams.models import AgencyAccess, Invitation, Membership, Organization, Role, User
from flokk.teams.services.agencies import grant_agency_access
from flokk.teams.services.demo import AGENCY_SLUG, demo_email
from flokk.teams.services.invitations import create_invitation
from flokk.teams.services.roles import create_custom_role
from flokk.teams.services.tokens import create_api_token
from flokk.wsgi import application

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 30, "deterministic": True, "database": "none"},
        # Every organization-scoped request goes to the demo, so it gets past the organization lookup, and
        # half the agency grants name a real organization.
        "parameters": {
            "path.org": "demo",
            "body.agency": {"dictionary": "organizations", "probability": 0.5},
        },
        "dictionaries": {"organizations": {"values": ["other", "demo-agency", "demo"]}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture
def head_token(demo: Organization) -> str:
    _token, clear = create_api_token(
        User.objects.get(email=demo_email("head-of-social")), name="schemathesis"
    )
    return clear


@pytest.fixture
def known_ids(demo: Organization, outsider: User) -> dict[str, list[str]]:
    """Ids of real objects per parameter name, so generated requests also reach past the 404s: the demo's
    (but not the head of social's own membership, whose removal would lock the test out), and one of
    another organization's of each kind."""
    head = User.objects.get(email=demo_email("head-of-social"))
    other = Organization.objects.get(slug="other")
    for organization, actor in ((demo, head), (other, outsider)):
        create_invitation(organization, email="invited@example.com", actor=actor)
        create_custom_role(organization, name="Intern", grants={"production": Level.VIEW}, actor=actor)
    grant_agency_access(other, agency_slug=AGENCY_SLUG, areas=["analysis"], actor=outsider)

    def ids(queryset: Any) -> list[str]:
        return [str(pk) for pk in queryset.values_list("pk", flat=True)]

    members = ids(Membership.objects.active().exclude(user=head).filter(organization__in=[demo, other]))
    accesses = ids(AgencyAccess.objects.filter(client__in=[demo, other]))
    return {
        "member_id": members,
        "invitation_id": ids(Invitation.objects.filter(organization__in=[demo, other])),
        "role_id": ids(Role.objects.filter(organization=demo, key__in=["custom-intern", "analyst"]))
        + ids(Role.objects.filter(organization=other, key="custom-intern")),
        "access_id": accesses,
        "party_id": members + accesses,
    }


def pick(value: Any, choices: list[str]) -> Any:
    """A real id for most generated UUIDs, chosen by the UUID itself so a failing example replays exactly."""
    try:
        number = uuid.UUID(str(value)).int
    except ValueError:
        return value
    index = number % (len(choices) + 1)
    return choices[index] if index < len(choices) else value


def use_known_ids(case: schemathesis.Case, known_ids: dict[str, list[str]]) -> None:
    for name, value in (case.path_parameters or {}).items():
        if name in known_ids:
            case.path_parameters[name] = pick(value, known_ids[name])
    if isinstance(case.body, dict) and "party_id" in case.body:
        case.body["party_id"] = pick(case.body["party_id"], known_ids["party_id"])


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
# The fixtures are set up once per operation, not per example: the examples share one seeded demo.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, head_token: str, known_ids: dict[str, list[str]]
) -> None:
    use_known_ids(case, known_ids)

    case.call_and_validate(
        headers={"Authorization": f"Bearer {head_token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )


def test_schema_and_docs_are_public() -> None:
    client = Client()

    schema_response = client.get("/api/v1/openapi.json")
    docs_response = client.get("/api/v1/docs")

    assert schema_response.status_code == 200
    assert schema_response.json()["openapi"].startswith("3.1")
    assert "/api/v1/orgs/{org}/members" in schema_response.json()["paths"]
    assert docs_response.status_code == 200
    assert b"/api/v1/openapi.json" in docs_response.content
