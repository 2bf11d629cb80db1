"""Reading and writing many rows fast, for the few paths where the ORM is the bottleneck (inbox ingest).

`bulk_create` spends most of its time building model instances and preparing each field's value through
the field API (tens of microseconds a row), and a `pk__in` filter prepares each of its values the same way.
Here the caller gives plain tuples in the order of `fields`; values are converted a column at a time, and
only the columns whose type needs it: PostgreSQL gets rows through COPY (or a pipelined INSERT when repeats
must be ignored), SQLite through `executemany`. Only UUID, datetime, JSON and plain values are supported,
which is what the callers store.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Converter = Callable[[Any], Any]
_UTC = dt.UTC


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    # Django's SQLite backend stores aware datetimes as naive UTC text (str() of the naive value).
    if value is None:
        return None
    if value.utcoffset():
        value = value.astimezone(_UTC)
    return str(value.replace(tzinfo=None))


def _sqlite_uuid(value: uuid.UUID | str | None) -> str | None:
    # A str is one as SQLite gave it (`take_rows(..., decode_ids=False)`): hex already.
    return value if value is None or isinstance(value, str) else value.hex


def _from_sqlite_datetime(value: dt.datetime | str | None) -> dt.datetime | None:
    # Django's SQLite backend registers a converter for "datetime" columns: they come back naive UTC.
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=_UTC)


def _from_sqlite_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


# json.dumps(value, ensure_ascii=False) builds an encoder on every call: this one is built once.
_json: Converter = json.JSONEncoder(ensure_ascii=False).encode


def _is_uuid(field: Any) -> bool:
    if isinstance(field, models.ForeignKey):
        return isinstance(field.target_field, models.UUIDField)
    return isinstance(field, models.UUIDField)


def _converter(field: Any, vendor: str) -> Converter | None:
    """Python value -> what the database driver takes, when the driver cannot take it as it is."""
    if isinstance(field, models.JSONField):
        return _json
    if vendor == "sqlite":
        if _is_uuid(field):
            return _sqlite_uuid
        if isinstance(field, models.DateTimeField):
            return _sqlite_datetime
    return None


def _decoder(field: Any, vendor: str) -> Converter | None:
    """What the driver returns -> the Python value the model field gives (the reverse of `_converter`)."""
    if vendor != "sqlite":
        return None  # psycopg returns UUIDs and aware datetimes (the connection's time zone is UTC)
    if _is_uuid(field):
        return _from_sqlite_uuid
    if isinstance(field, models.DateTimeField):
        return _from_sqlite_datetime
    return None


def _fields(model: type[models.Model], names: Sequence[str]) -> list[Any]:
    """The model's fields by attribute name (`account_id` as well as `account`)."""
    return [model._meta.get_field(name) for name in names]


def _converters(model: type[models.Model], names: Sequence[str], vendor: str) -> list[Converter | None]:
    return [_converter(field, vendor) for field in _fields(model, names)]


def _convert(rows: Iterable[Sequence[Any]], converters: Sequence[Converter | None]) -> list[Sequence[Any]]:
    """Rows with each converted column run through its converter, a column at a time (map runs in C)."""
    rows = list(rows)
    if not rows or not any(converters):
        return rows
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for index, convert in enumerate(converters):
        if convert is not None:
            columns[index] = map(convert, columns[index])
    return list(zip(*columns, strict=True))


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert `rows` (tuples in the order of `fields`, by attribute name: `account_id`, not `account`)."""
    model_fields = _fields(model, fields)
    rows = _convert(rows, [_converter(field, connection.vendor) for field in model_fields])
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(field.column) for field in model_fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            # COPY is several times faster than INSERT.
            with _bound(cursor).copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if connection.vendor == "postgresql":  # one statement, a column an array, instead of one a row
            select = f"SELECT * FROM {_unnest(model_fields)}"  # noqa: S608
            insert = f"INSERT INTO {table} ({column_list}) {select} ON CONFLICT DO NOTHING"
            _bound(cursor).execute(insert, _columns(rows))
            return
        placeholders = ", ".join(["%s"] * len(model_fields))
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}){conflict}", rows)  # noqa: S608


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """`UPDATE ... SET field = value ... WHERE pk = ...` for each row: (*values in the order of fields, pk).

    A field written as `"count+"` adds its value to the stored one instead of replacing it.
    """
    meta = model._meta
    model_fields = _fields(model, [name.removesuffix("+") for name in fields])
    converters = [_converter(field, connection.vendor) for field in [*model_fields, meta.pk]]
    rows = _convert(rows, converters)
    if not rows:
        return
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)  # type: ignore[arg-type]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql" and len({row[-1] for row in rows}) == len(rows):
            # One statement joining an unnest of the values: each primary key at most once, as there.
            names = [f"v{index}" for index in range(len(model_fields))]
            assignments = ", ".join(
                f"{quote(field.column)} = {table}.{quote(field.column)} + new.{value}"
                if name.endswith("+")
                else f"{quote(field.column)} = new.{value}"
                for name, field, value in zip(fields, model_fields, names, strict=True)
            )
            unnest = _unnest([*model_fields, meta.pk])
            _bound(cursor).execute(
                f"UPDATE {table} SET {assignments} FROM {unnest} AS new({', '.join(names)}, key) "  # noqa: S608
                f"WHERE {table}.{pk} = new.key",
                _columns(rows),
            )
            return
        assignments = ", ".join(
            f"{quote(field.column)} = {quote(field.column)} + %s"
            if name.endswith("+")
            else f"{quote(field.column)} = %s"
            for name, field in zip(fields, model_fields, strict=True)
        )
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)  # noqa: S608


def _bound(cursor: Any) -> Any:
    """A psycopg cursor on the same connection (and transaction) binding parameters on the server.

    Django's binds them on the client: arrays of thousands of values become SQL text, escaped in Python.
    Errors still come out as Django's (the callers wrap the calls in `wrap_database_errors`).
    """
    import psycopg

    return psycopg.Cursor(cursor.cursor.connection)


def _unnest(model_fields: Sequence[Any]) -> str:
    """`unnest(%b::uuid[], %b::varchar(20)[], ...)`: a PostgreSQL table from one array a column.

    Arrays go in binary (`%b`): psycopg dumps a list as text element by element in Python, which costs
    more than twice as much.
    """
    return f"unnest({', '.join(f'%b::{field.db_type(connection)}[]' for field in model_fields)})"


def _columns(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]


def rows_where_in(
    model: type[models.Model], fields: Sequence[str], key: str, keys: Iterable[Any], **equal: Any
) -> list[tuple[Any, ...]]:
    """`SELECT fields FROM table WHERE key IN keys [AND field = value ...]`, values as the model gives them.

    One statement on PostgreSQL (`= ANY(array)`); on SQLite as few as its parameter limit allows. The key
    column comes back as the very objects passed in (no UUID is rebuilt for it). `equal` adds conditions:
    `account_id=account.id`.
    """
    model_fields = _fields(model, fields)
    key_field = _fields(model, [key])[0]
    vendor = connection.vendor
    to_db = _converter(key_field, vendor)
    by_db_value = {to_db(value) if to_db else value: value for value in keys}
    if not by_db_value:
        return []
    decoders: list[Converter | None] = [
        (by_db_value.__getitem__ if to_db else None)
        if field.column == key_field.column
        else _decoder(field, vendor)
        for field in model_fields
    ]
    quote = connection.ops.quote_name
    conditions = "".join(f"{quote(field.column)} = %s AND " for field in _fields(model, list(equal)))
    fixed = [
        value if convert is None else convert(value)
        for convert, value in zip(_converters(model, list(equal), vendor), equal.values(), strict=True)
    ]
    select = (
        f"SELECT {', '.join(quote(field.column) for field in model_fields)} "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} WHERE {conditions}{quote(key_field.column)}"
    )
    values = list(by_db_value)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if vendor == "postgresql":
            bound = _bound(cursor)
            bound.execute(f"{select} = ANY(%b::{key_field.db_type(connection)}[])", [*fixed, values])
            found.extend(bound.fetchall())
        else:
            size = min(connection.features.max_query_params or 999, 30_000) - len(fixed)
            for start in range(0, len(values), size):
                chunk = values[start : start + size]
                cursor.execute(f"{select} IN ({', '.join(['%s'] * len(chunk))})", [*fixed, *chunk])
                found.extend(cursor.fetchall())
    return _convert(found, decoders)  # type: ignore[return-value]


def add_rows(
    model: type[models.Model],
    keys: Sequence[str],
    values: str | Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    also: Sequence[str] = (),
) -> None:
    """Add each row's values (its last items) to the stored ones with the same `keys`, or insert the row.

    Rows are (*keys, *also, *values): `also` are columns written only when the row is new. `keys` must be
    a unique constraint of the model, and each key at most once in `rows` (sum them first).
    """
    values = (values,) if isinstance(values, str) else tuple(values)
    model_fields = _fields(model, [*keys, *also, *values])
    rows = _convert(rows, [_converter(field, connection.vendor) for field in model_fields])
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(field.column) for field in model_fields)
    conflict = ", ".join(quote(field.column) for field in model_fields[: len(keys)])
    sums = ", ".join(
        f"{column} = {table}.{column} + excluded.{column}"
        for column in (quote(field.column) for field in model_fields[-len(values) :])
    )
    upsert = f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            _bound(cursor).execute(
                f"INSERT INTO {table} ({column_list}) SELECT * FROM {_unnest(model_fields)} {upsert}",  # noqa: S608
                _columns(rows),
            )
            return
        placeholders = ", ".join(["%s"] * len(model_fields))
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}) {upsert}", rows)  # noqa: S608


def take_rows(
    model: type[models.Model], fields: Sequence[str], limit: int, *, decode_ids: bool = True
) -> list[tuple[Any, ...]]:
    """Delete the `limit` oldest rows (by primary key) and return their `fields`, as the model gives them.

    A queue: two callers at once never get the same row (the second waits for the first's row locks on
    PostgreSQL, and SQLite has one writer at a time). With `decode_ids=False`, UUIDs come as text (SQLite's
    hex, PostgreSQL's canonical form): cheaper to hash and to write back, when the caller only passes them on
    (every writer here takes them so).
    """
    model_fields = _fields(model, fields)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)  # type: ignore[arg-type]
    vendor = connection.vendor
    as_text = not decode_ids and vendor == "postgresql"
    columns = ", ".join(
        f"{quote(field.column)}::text" if as_text and _is_uuid(field) else quote(field.column)
        for field in model_fields
    )
    with connection.cursor() as cursor, connection.wrap_database_errors:
        lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
        cursor.execute(
            f"DELETE FROM {table} WHERE {pk} IN (SELECT {pk} FROM {table} ORDER BY {pk} LIMIT %s{lock}) "  # noqa: S608
            f"RETURNING {columns}",
            [limit],
        )
        found = cursor.fetchall()
    decoders = [
        None if not decode_ids and _is_uuid(field) else _decoder(field, connection.vendor)
        for field in model_fields
    ]
    return _convert(found, decoders)  # type: ignore[return-value]
