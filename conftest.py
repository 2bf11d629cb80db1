"""Fixtures shared by every test: the demo organization, people by role, an outsider, signed-in clients."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Field, FileField, Model, UUIDField
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from flokk.teams.models import Organization, User
from flokk.teams.services.demo import AGENCY_USER, DEMO_SLUG, demo_email, seed_demo
from flokk.teams.services.organizations import create_organization
from flokk.teams.services.tokens import create_api_token

pytest_plugins = ["tests.fixtures.bluesky"]

Rows = dict[Any, tuple[Any, ...]]  # primary key -> the values of a table's columns
Statement = tuple[str, list[tuple[Any, ...]]]  # an INSERT and the rows for it


@dataclass(frozen=True, eq=False)
class Table:
    model: type[Model]
    fields: list[Field[Any, Any]]

    def read(self) -> Rows:
        names = [field.attname for field in self.fields]
        pk = names.index(self.model._meta.pk.attname)
        return {row[pk]: row for row in self.model._base_manager.order_by().values_list(*names)}

    def insert(self, rows: list[tuple[Any, ...]]) -> Statement:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        table = quote(self.model._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  (quoted model names)
        return sql, [
            tuple(
                field.get_db_prep_save(value, connection)
                for field, value in zip(self.fields, row, strict=True)
            )
            for row in rows
        ]

    def fingerprint(self) -> str:
        """SQL for the row count and largest key: what tells one state of a small table from another."""
        quote = connection.ops.quote_name
        table, pk = quote(self.model._meta.db_table), quote(self.model._meta.pk.column)
        largest = f"CAST({pk} AS TEXT)" if isinstance(self.model._meta.pk, UUIDField) else pk
        return f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({largest}) FROM {table})"  # noqa: S608


@dataclass(frozen=True)
class Note:
    """The rows one real `seed_demo()` added, and what they depended on."""

    taken_at: float
    tables: list[Table]  # every table the seed queried or wrote
    state: tuple[Any, ...]  # their fingerprint before the seed
    # What the seed left inside a transaction, and once it committed (with what on_commit callbacks wrote);
    # None when the seed cannot be replayed.
    in_transaction: list[Statement] | None
    committed: list[Statement] | None


class DemoReplay:
    """`seed_demo()` runs ~800 queries and most tests want the demo. Seed it for real once, in a transaction
    that is rolled back, note the rows it added, and give later tests the same rows (keys and timestamps
    included) with one INSERT per table.

    A note is replayed only where a real seed would add the very same rows: every table the seed queried holds
    what it held then (same row count and largest key), settings, language, time zone, date and clock are the
    same, and the note is at most a minute old; otherwise a new note is taken. A seed that changes or deletes
    rows that were already there, stores files or sends mail, is not replayed: `seed_demo()` runs as it is.
    """

    MAX_AGE_SECONDS = 60.0
    # Where files go changes no row, and a seed that stores a file is not replayed (see `_added`).
    FILE_LOCATIONS = frozenset({"MEDIA_ROOT", "STATIC_ROOT"})

    def __init__(self) -> None:
        self._tables: list[Table] = []
        self._notes: dict[tuple[Any, ...], Note] = {}

    def __call__(self) -> Organization:
        context = self._context()
        note = self._notes.get(context)
        if (
            note is None
            or time.monotonic() - note.taken_at > self.MAX_AGE_SECONDS
            or self._state(note) != note.state
        ):
            note = self._notes[context] = self._take()
        if note.in_transaction is None or note.committed is None:
            return seed_demo()
        # A real seed commits, running its on_commit callbacks, only when no transaction is open.
        statements = note.in_transaction if connection.in_atomic_block else note.committed
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, rows in statements:
                cursor.executemany(sql, rows)
        return Organization.objects.get(slug=DEMO_SLUG)

    def _context(self) -> tuple[Any, ...]:
        """What outside the database a seed's rows depend on: settings, language, zone, date and clock."""
        configured = repr(
            [
                (name, getattr(django_settings, name))
                for name in dir(django_settings)
                if name.isupper() and name not in self.FILE_LOCATIONS
            ]
        )
        return (
            configured,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate(),
            timezone.now,
            dt.datetime,
        )

    def _state(self, note: Note) -> tuple[Any, ...]:
        if not note.tables:
            return ()
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(table.fingerprint() for table in note.tables))
            return tuple(cursor.fetchone())

    def _take(self) -> Note:
        """Seed for real, read what was added before and after commit, and roll it all back."""
        sent = len(getattr(mail, "outbox", []))
        tables = self._all_tables()
        with transaction.atomic():
            before = {table: table.read() for table in tables}
            with (
                CaptureQueriesContext(connection) as seeding,
                TestCase.captureOnCommitCallbacks() as callbacks,
            ):
                seed_demo()
            in_transaction = self._added(before)
            with (
                CaptureQueriesContext(connection) as committing,
                TestCase.captureOnCommitCallbacks(execute=True),
            ):
                for callback in callbacks:
                    callback()
            committed = self._added(before)
            transaction.set_rollback(True)
        outbox = getattr(mail, "outbox", [])
        mailed = len(outbox) > sent
        del outbox[sent:]
        if mailed:
            in_transaction = committed = None
        sql = "\n".join(query["sql"] for query in [*seeding.captured_queries, *committing.captured_queries])
        used = [t for t in tables if connection.ops.quote_name(t.model._meta.db_table) in sql]
        note = Note(time.monotonic(), used, (), in_transaction, committed)
        return Note(note.taken_at, used, self._state(note), in_transaction, committed)

    def _added(self, before: dict[Table, Rows]) -> list[Statement] | None:
        """INSERTs for the rows that are not in `before`; None when a row of `before` changed or went, or
        a new row names a file."""
        statements = []
        for table, old in before.items():
            new = table.read()
            if any(new.get(pk) != row for pk, row in old.items()):
                return None
            added = [row for pk, row in new.items() if pk not in old]
            if any(row[i] for row in added for i, f in enumerate(table.fields) if isinstance(f, FileField)):
                return None  # the file itself is outside the database
            if added:
                statements.append(table.insert(added))
        return statements

    def _all_tables(self) -> list[Table]:
        if not self._tables:
            self._tables = [
                Table(
                    model,
                    [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)],
                )
                for model in apps.get_models(include_auto_created=True)
                if model._meta.managed and not model._meta.proxy
            ]
        return self._tables


replay_demo = DemoReplay()


@pytest.fixture
def demo(db: None) -> Organization:
    """The demo organization: one member per built-in role, and Demo Agency with production + advertising."""
    return replay_demo()


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
