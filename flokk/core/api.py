"""Shared API schemas: the error body every endpoint declares for its error status codes."""

from __future__ import annotations

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class Error(Schema):
    """Every error the API returns: `{"error": {"code", "message", "fields"}}`."""

    error: ErrorBody
