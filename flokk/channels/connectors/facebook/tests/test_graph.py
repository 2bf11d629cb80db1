"""How Graph API errors become ConnectorErrors: who can fix it, when to try again, and no tokens kept."""

from __future__ import annotations

import httpx
import pytest

from flokk.channels.connectors.base import AccountRef, ConnectorError, Publication
from flokk.channels.connectors.facebook import FacebookConnector
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run

PAGE = "101234567890123"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(id="acc-1", network="facebook", handle="sommarbakery", service_url="", remote_id=PAGE)


def failed_publish(transport: httpx.AsyncBaseTransport) -> ConnectorError:
    page = FacebookConnector(ACCOUNT, {"access_token": TOKEN, "page_id": PAGE}, transport=transport)
    with pytest.raises(ConnectorError) as caught:
        run(page.publish(Publication(idempotency_key="k", text="Hello")))
    assert TOKEN not in caught.value.raw and TOKEN not in caught.value.message
    return caught.value


def failure(fixture: str) -> ConnectorError:
    return failed_publish(FakeGraph.of("facebook", fixture).transport)


@pytest.mark.parametrize("fixture", ["error_190_460.json", "error_190_463.json"])
def test_an_invalidated_token_asks_for_a_reconnect_in_plain_words(fixture):
    error = failure(fixture)

    assert error.needs_reconnect and error.permanent
    assert "reconnect the account" in error.message
    assert "OAuthException" not in error.message


def test_a_changed_password_is_named_as_the_reason():
    assert "password" in failure("error_190_460.json").message


@pytest.mark.parametrize("fixture", ["error_4.json", "error_17.json"])
def test_rate_limits_ask_to_wait_a_minute_without_usage_headers(fixture):
    error = failure(fixture)

    assert error.retry_after == 60.0
    assert not error.permanent and not error.outcome_unknown


def test_a_page_rate_limit_waits_as_long_as_the_usage_header_says():
    error = failure("error_32.json")

    assert error.retry_after == 5 * 60.0
    assert not error.permanent


def test_http_429_without_a_graph_error_is_a_rate_limit():
    transport = httpx.MockTransport(lambda request: httpx.Response(429, text="slow down"))

    assert failed_publish(transport).retry_after == 60.0


def test_a_policy_block_is_permanent_with_facebooks_words():
    error = failure("error_368.json")

    assert error.permanent and not error.needs_reconnect
    assert "blocked from using it" in error.message


@pytest.mark.parametrize("fixture", ["error_100.json", "error_200.json"])
def test_invalid_parameters_and_missing_permissions_are_permanent(fixture):
    error = failure(fixture)

    assert error.permanent and not error.retry_after
    assert "(#" in error.message


def test_a_server_error_on_the_post_may_have_published_it():
    error = failure("error_500.json")

    assert not error.permanent
    assert error.outcome_unknown  # the engine reconciles with find_published before trying again
    assert error.status_code == 500


def test_an_unreadable_answer_is_an_error_keeping_the_body_without_tokens():
    error = failure("error_malformed.json")

    assert not error.permanent and error.outcome_unknown
    assert "Bad gateway" in error.raw
    assert "access_token=[redacted]" in error.raw
    assert "appsecret_proof=[redacted]" in error.raw


def test_a_dropped_connection_after_sending_leaves_the_outcome_unknown():
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"connection reset while reading {request.url}?access_token={TOKEN}")

    error = failed_publish(httpx.MockTransport(drop))

    assert error.outcome_unknown and not error.permanent
    assert "[redacted]" in error.raw


def test_a_refused_connection_never_reached_facebook():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    error = failed_publish(httpx.MockTransport(refuse))

    assert not error.outcome_unknown and not error.permanent
