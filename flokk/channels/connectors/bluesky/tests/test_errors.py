"""How the network's answers become `ConnectorError`s, and the record keys, without a network."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.models.string_formats import TID_RE
from atproto_client.request import Response

from flokk.channels.connectors.bluesky.connector import connector_error, record_key_for, retry_after_seconds


def answer(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        success=False,
        status_code=status,
        content=XrpcError(error=error, message=message),
        headers=headers or {},
    )


def test_a_refused_token_needs_reconnecting():
    error = connector_error(
        UnauthorizedError(answer(401, "AuthenticationRequired", "Invalid identifier or password"))
    )

    assert error.needs_reconnect and error.permanent
    assert "Invalid identifier or password" in error.message


def test_an_expired_token_needs_reconnecting():
    error = connector_error(BadRequestError(answer(400, "ExpiredToken", "Token has expired")))

    assert error.needs_reconnect


def test_a_refused_post_is_permanent_with_the_networks_reason():
    error = connector_error(
        BadRequestError(answer(400, "InvalidRequest", "Record/text must not be longer than 300 graphemes"))
    )

    assert error.permanent and not error.needs_reconnect
    assert "300 graphemes" in error.message
    assert error.status_code == 400


def test_a_too_large_blob_is_permanent():
    assert connector_error(NetworkError(answer(413, "PayloadTooLarge", "request entity too large"))).permanent
    assert connector_error(BadRequestError(answer(400, "BlobTooLarge", "This file is too large"))).permanent


def test_a_rate_limit_says_when_to_come_back():
    error = connector_error(
        RateLimitExceededError(answer(429, "RateLimitExceeded", "Slow down", {"retry-after": "30"}))
    )

    assert not error.permanent
    assert error.retry_after == 30


def test_the_rate_limit_reset_time_is_turned_into_seconds():
    assert retry_after_seconds({"ratelimit-reset": "1000"}, now=940.0) == 60
    assert retry_after_seconds({"RateLimit-Reset": "10"}, now=940.0) == 0
    assert retry_after_seconds({}) is None


@pytest.mark.parametrize(
    "exc",
    [
        RequestException(answer(500, "InternalServerError", "Internal Server Error")),
        NetworkError(answer(502, "UpstreamFailure", "Bad gateway")),
        NetworkError(),
        InvokeTimeoutError(),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_server_errors_timeouts_and_lost_connections_are_transient(exc):
    error = connector_error(exc)

    assert not error.permanent and not error.needs_reconnect


def test_secrets_are_redacted_from_what_is_kept():
    exc = BadRequestError(answer(400, "InvalidRequest", "bad password abcd-efgh-ijkl-mnop"))

    error = connector_error(exc, secrets=["abcd-efgh-ijkl-mnop"])

    assert "abcd-efgh-ijkl-mnop" not in error.message + error.raw
    assert "[redacted]" in error.raw


def test_record_keys_are_valid_tids_and_the_same_for_the_same_key():
    keys = [record_key_for(f"key-{n}") for n in range(2000)]

    assert all(TID_RE.match(key) for key in keys)
    assert len(set(keys)) == len(keys)
    assert record_key_for("key-1") == keys[1]
    assert record_key_for(hashlib.sha256(b"x").hexdigest()) != record_key_for("x")
