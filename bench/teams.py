"""Benchmark: permission checks and the members page/API for a large organization.

Prints JSON lines: {"bench", "metric", "value", "unit", ...}. Runs on SQLite in a temporary directory, or on
the database in DATABASE_URL (then it creates and drops its own rows under a unique slug).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ["FLOKK_VAR_DIR"] = tempfile.mkdtemp(prefix="flokk-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flokk.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
MATRIX_PEOPLE = int(os.environ.get("BENCH_MATRIX_PEOPLE", "50"))


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(
        json.dumps(
            {
                "bench": "teams",
                "metric": metric,
                "value": round(value, 3),
                "unit": unit,
                "database": connection.vendor,
                "members": MEMBERS,
                **extra,
            }
        )
    )


def timed(fn, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from flokk.teams.models import Role, User
    from flokk.teams.permissions import resolve_access
    from flokk.teams.services.members import add_member
    from flokk.teams.services.organizations import create_organization
    from flokk.teams.services.tokens import create_api_token

    tag = uuid.uuid4().hex[:8]
    owner = User.objects.create_user(f"owner-{tag}@bench.example", "bench-password-1")
    org = create_organization(name=f"Bench {tag}", slug=f"bench-{tag}", owner=owner)
    roles = list(Role.objects.filter(organization=org))
    users = User.objects.bulk_create(
        [User(email=f"m{i}-{tag}@bench.example", name=f"Member {i}") for i in range(MEMBERS)]
    )
    for i, user in enumerate(users):
        add_member(org, user, roles=[roles[i % len(roles)], roles[(i * 7) % len(roles)]], actor=owner)

    someone = users[MEMBERS // 2]
    samples = timed(lambda: resolve_access(someone, org).has("planning.work"), ROUNDS)
    emit("resolve_access_median_ms", statistics.median(samples), "ms")

    _token, clear = create_api_token(owner, name="bench")
    api = Client(headers={"Authorization": f"Bearer {clear}"})
    samples = timed(lambda: api.get(f"/api/v1/orgs/{org.slug}/members"), max(10, ROUNDS // 10))
    emit("api_members_page_p95_ms", p95(samples), "ms", page_size=100)

    # The matrix is a page per team: measure it at a large team's size, not the whole organization's.
    team = create_organization(name=f"Team {tag}", slug=f"team-{tag}", owner=owner)
    team_roles = list(Role.objects.filter(organization=team))
    for i, user in enumerate(users[:MATRIX_PEOPLE]):
        add_member(team, user, roles=[team_roles[i % len(team_roles)]], actor=owner)
    web = Client()
    web.force_login(owner)
    samples = timed(lambda: web.get(f"/o/{team.slug}/matrix/"), max(10, ROUNDS // 10))
    emit("matrix_page_p95_ms", p95(samples), "ms", people=MATRIX_PEOPLE + 1)

    if os.environ.get("DATABASE_URL"):
        team.delete()
        org.delete()
        User.objects.filter(email__endswith=f"-{tag}@bench.example").delete()
        owner.delete()


if __name__ == "__main__":
    main()
