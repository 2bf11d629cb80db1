"""Fixtures shared by every test: the demo organization, people by role, an outsider, signed-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from flokk.teams.models import Organization, User
from flokk.teams.services.demo import AGENCY_USER, demo_email, seed_demo
from flokk.teams.services.organizations import create_organization
from flokk.teams.services.tokens import create_api_token

pytest_plugins = ["tests.fixtures.bluesky"]


@pytest.fixture
def demo(db: None) -> Organization:
    """The demo organization: one member per built-in role, and Demo Agency with production + advertising."""
    return seed_demo()


@pytest.fixture
def member(demo: Organization) -> Callable[[str], User]:
    """`member("copywriter")`: the demo member who carries that built-in role."""

    def get(role_key: str) -> User:
        return User.objects.get(email=demo_email(role_key))

    return get


@pytest.fixture
def agency_user(demo: Organization) -> User:
    return User.objects.get(email=AGENCY_USER)


@pytest.fixture
def outsider(db: None) -> User:
    """Someone who administers another organization and has nothing to do with the demo."""
    user = User.objects.create_user("outsider@other.example", "outsider-password-1", name="Olle Outsider")
    create_organization(name="Other Org", slug="other", owner=user)
    return user


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A browser-like test client signed in as the user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for() -> Callable[[User], Client]:
    """A test client that sends a fresh personal API token of the user."""

    def make(user: User) -> Client:
        _token, clear = create_api_token(user, name="tests")
        return Client(headers={"Authorization": f"Bearer {clear}"})

    return make


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Failed sign-ins are counted in the cache, which would otherwise outlive a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Real hashing costs ~0.3 s a password; the demo alone has 17 people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
