"""List pages keep a fixed number of queries however many people the team has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flokk.teams.models import Role, User
from flokk.teams.services.members import add_member


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow_team(demo, actor, count: int) -> None:
    roles = list(Role.objects.filter(organization=demo))
    for n in range(count):
        user = User.objects.create_user(
            f"extra{n}-{User.objects.count()}@demo.example", None, name=f"Extra {n}"
        )
        add_member(demo, user, roles=[roles[n % len(roles)], roles[(n + 3) % len(roles)]], actor=actor)


@pytest.mark.parametrize("page", ["members", "matrix", "roles", "audit", ""])
def test_page_queries_do_not_grow_with_the_team(demo, member, client_for, page):
    head = member("head-of-social")
    client = client_for(head)
    url = f"/o/demo/{page}/" if page else "/o/demo/"
    before = queries_for(client, url)
    grow_team(demo, head, 25)
    assert queries_for(client, url) == before
