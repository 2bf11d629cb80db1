"""Inserting many rows fast, for the few paths where `bulk_create` is the bottleneck (inbox ingest).

`bulk_create` spends most of its time building model instances and preparing each field's value through
the field API (tens of microseconds a row). Here the caller gives plain tuples in the order of `fields`;
values are converted once per column type: PostgreSQL gets them through COPY (or a pipelined INSERT when
repeats must be ignored), SQLite through `executemany`. Only UUID, datetime, JSON and plain values are
supported, which is what the callers store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    # Django's SQLite backend stores aware datetimes as naive UTC text.
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _converter(field: models.Field, vendor: str) -> Converter | None:
    if isinstance(field, models.JSONField):
        return _json
    if vendor == "sqlite":
        if isinstance(field, models.UUIDField) or (
            isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.UUIDField)
        ):
            return lambda value: None if value is None else value.hex
        if isinstance(field, models.DateTimeField):
            return _sqlite_datetime
    return None


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert `rows` (tuples in the order of `fields`, by attribute name: `account_id`, not `account`)."""
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]  # get_field knows attnames too
    columns = [field.column for field in model_fields]  # type: ignore[union-attr]
    converters = [_converter(field, connection.vendor) for field in model_fields]  # type: ignore[arg-type]
    if any(converters):
        rows = [
            tuple(
                value if convert is None else convert(value)
                for convert, value in zip(converters, row, strict=True)
            )
            for row in rows
        ]
    else:
        rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts:
            raw = cursor.cursor  # psycopg's own cursor: COPY is several times faster than INSERT
            with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}){conflict}", rows)  # noqa: S608


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """`UPDATE ... SET field = value ... WHERE pk = ...` for each row: (*values in the order of fields, pk).

    A field written as `"count+"` adds its value to the stored one instead of replacing it.
    """
    meta = model._meta
    names = [name.removesuffix("+") for name in fields]
    model_fields = [meta.get_field(name) for name in names]
    converters = [_converter(field, connection.vendor) for field in [*model_fields, meta.pk]]  # type: ignore[list-item]
    rows = [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(converters, row, strict=True)
        )
        for row in rows
    ]
    if not rows:
        return
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(field.column)} = {quote(field.column)} + %s"
        if name.endswith("+")
        else f"{quote(field.column)} = %s"  # type: ignore[union-attr]
        for name, field in zip(fields, model_fields, strict=True)
    )
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # type: ignore[union-attr]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
