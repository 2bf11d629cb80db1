"""The fake Mastodon keeps to the published spec, and its checks can fail (so they cannot pass silently)."""

from __future__ import annotations

import concurrent.futures
import json
import time

import httpx
import pytest

from tests.fakes.mastodon import SPEC_PATH, FakeMastodon, spec_validator
from tests.fakes.openapi import OpenAPIValidator, SpecViolation


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


CLIENT = httpx.Client(timeout=10)  # one client: building one per request costs ~0.1 s (TLS context)


def post_status(fake: FakeMastodon, token: str, text: str, key: str = "") -> httpx.Response:
    headers = bearer(token) | ({"Idempotency-Key": key} if key else {})
    return CLIENT.post(f"{fake.url}/api/v1/statuses", json={"status": text}, headers=headers)


# --- the validator ------------------------------------------------------------------------------------------
def test_the_validator_rejects_requests_the_spec_does_not_allow():
    spec = spec_validator()

    def request(method, path, query=None, body=None, form=None, headers=None):
        return spec.validate_request(
            method, path, query=query or {}, headers=headers or {}, body=body, form=form
        )

    request("POST", "/api/v1/statuses", body={"status": "fine", "visibility": "public"})
    with pytest.raises(SpecViolation, match="body"):
        request("POST", "/api/v1/statuses", body={"status": 5})
    with pytest.raises(SpecViolation, match="body"):
        request("POST", "/api/v1/statuses", body={"status": "x", "visibility": "everyone"})
    with pytest.raises(SpecViolation, match="client_name"):
        request("POST", "/api/v1/apps", form=[("redirect_uris", "https://flokk.example/cb")])
    with pytest.raises(SpecViolation, match="unknown query parameter"):
        request("GET", "/api/v1/accounts/1/statuses", query={"limmit": ["5"]})
    with pytest.raises(SpecViolation, match="limit"):
        request("GET", "/api/v1/accounts/1/statuses", query={"limit": ["many"]})
    with pytest.raises(SpecViolation, match="not an operation"):
        request("POST", "/api/v1/nothing-here")


def test_the_validator_rejects_responses_the_spec_does_not_allow(alice_status):
    spec = spec_validator()
    operation, _params = spec.operation("GET", "/api/v1/statuses/1")

    spec.validate_response(operation, 200, alice_status)
    for broken in (
        {k: v for k, v in alice_status.items() if k != "account"},
        {**alice_status, "visibility": "everyone"},
        {**alice_status, "created_at": "yesterday"},
        {**alice_status, "media_attachments": [{"id": "1", "type": "hologram"}]},
    ):
        with pytest.raises(SpecViolation):
            spec.validate_response(operation, 200, broken)
    with pytest.raises(SpecViolation, match="does not declare"):
        spec.validate_response(operation, 418, {"error": "teapot"})


def test_the_corrections_are_needed_and_narrow():
    raw = OpenAPIValidator(json.loads(SPEC_PATH.read_text()))
    text_and_media = {"status": "Look", "media_ids": ["1"]}

    # The published spec refuses a status with text and media (oneOf matches twice); Mastodon takes it.
    with pytest.raises(SpecViolation):
        raw.validate_request("POST", "/api/v1/statuses", query={}, headers={}, body=text_and_media)
    spec_validator().validate_request("POST", "/api/v1/statuses", query={}, headers={}, body=text_and_media)


# --- the server ---------------------------------------------------------------------------------------
@pytest.fixture
def fake():
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def alice_status(fake):
    account = fake.create_account("alice")
    response = post_status(fake, account.token, "Hello #flokk https://example.com")
    assert response.status_code == 200
    return response.json()


def test_a_request_off_spec_is_answered_400_and_recorded(fake):
    account = fake.create_account("bob")

    response = CLIENT.post(
        f"{fake.url}/api/v1/statuses", json={"status": ["not", "a", "string"]}, headers=bearer(account.token)
    )

    assert response.status_code == 400
    assert fake.violations and "body" in fake.violations[0]
    assert fake.statuses == []


def test_a_response_off_spec_is_caught_before_it_leaves(fake, monkeypatch):
    account = fake.create_account("carol")
    original = fake._status_json
    monkeypatch.setattr(fake, "_status_json", lambda status: {**original(status), "sensitive": "no"})

    response = post_status(fake, account.token, "Hello")

    assert response.status_code == 500
    assert any("sensitive" in violation for violation in fake.violations)


def test_the_same_idempotency_key_gives_the_same_status_for_one_hour(fake):
    alice, bob = fake.create_account("alice"), fake.create_account("bob")

    first = post_status(fake, alice.token, "Once", key="k1").json()
    again = post_status(fake, alice.token, "Once more", key="k1").json()
    other_account = post_status(fake, bob.token, "Once", key="k1").json()
    fake.advance(3601)
    after_an_hour = post_status(fake, alice.token, "Once", key="k1").json()

    assert again["id"] == first["id"]
    assert other_account["id"] != first["id"]
    assert after_an_hour["id"] != first["id"]
    assert len(fake.statuses_of(alice)) == 2
    assert fake.violations == []


def test_statuses_list_newest_first_with_limit_and_since_id(fake):
    alice = fake.create_account("alice")
    ids = [post_status(fake, alice.token, f"Post {i}").json()["id"] for i in range(5)]

    url = f"{fake.url}/api/v1/accounts/{alice.id}/statuses"
    newest = CLIENT.get(url, params={"limit": 2}, headers=bearer(alice.token)).json()
    since = CLIENT.get(url, params={"since_id": ids[2]}, headers=bearer(alice.token)).json()

    assert [s["id"] for s in newest] == [ids[4], ids[3]]
    assert [s["id"] for s in since] == [ids[4], ids[3]]
    assert fake.violations == []


def test_a_revoked_token_gets_401_with_mastodons_words(fake):
    alice = fake.create_account("alice")
    fake.revoke(alice.token)

    response = CLIENT.get(f"{fake.url}/api/v1/accounts/verify_credentials", headers=bearer(alice.token))

    assert response.status_code == 401
    assert response.json() == {"error": "The access token was revoked"}


def test_random_faults_repeat_with_the_same_seed():
    def outcomes(seed: int) -> list[int]:
        with FakeMastodon(seed=seed, fail_rate=0.3, rate_limit_rate=0.2) as fake:
            alice = fake.create_account("alice")
            return [post_status(fake, alice.token, f"P{i}", key=f"k{i}").status_code for i in range(30)]

    first, second, other = outcomes(7), outcomes(7), outcomes(8)

    assert first == second
    assert first != other
    assert {500, 502, 503, 429} & set(first) and 200 in first


def test_two_hundred_requests_at_once_are_served_concurrently():
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with FakeMastodon(latency=0.2) as fake, httpx.Client(limits=limits, timeout=30) as client:
        alice = fake.create_account("alice")

        def post(i: int) -> int:
            response = client.post(
                f"{fake.url}/api/v1/statuses", json={"status": f"P{i}"}, headers=bearer(alice.token)
            )
            return response.status_code

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            codes = list(pool.map(post, range(200)))
        elapsed = time.monotonic() - started

    assert codes == [200] * 200
    assert elapsed < 4  # one after another it would take 40 s


# --- the inbox side -----------------------------------------------------------------------------------------
def test_mentions_notify_the_mentioned_with_spec_pages_and_links(fake):
    alice, bob = fake.create_account("alice"), fake.create_account("bob")
    carol = fake.create_account("carol", domain="remote.example")
    ids = [post_status(fake, bob.token, f"@alice note {i}").json()["id"] for i in range(5)]
    fake.deliver(carol, f"@alice@{fake.host} from afar")
    post_status(fake, bob.token, "@nobody here")

    url = f"{fake.url}/api/v1/notifications"
    latest = CLIENT.get(url, params={"types[]": "mention", "limit": 2}, headers=bearer(alice.token))
    above = CLIENT.get(
        url, params={"types[]": "mention", "limit": 2, "min_id": "1"}, headers=bearer(alice.token)
    )
    bob_sees = CLIENT.get(url, headers=bearer(bob.token)).json()

    newest = latest.json()
    assert [n["status"]["account"]["acct"] for n in newest] == ["carol@remote.example", "bob"]
    assert newest[1]["status"]["id"] == ids[-1]
    assert newest[1]["status"]["mentions"][0]["acct"] == "alice"
    assert "@<span>alice</span>" in newest[1]["status"]["content"]
    assert [n["id"] for n in above.json()] == ["3", "2"]  # just above min_id, newest first
    assert f"max_id={newest[-1]['id']}" in latest.headers["Link"]
    assert 'rel="prev"' in latest.headers["Link"] and "types%5B%5D=mention" in latest.headers["Link"]
    assert bob_sees == []  # nobody mentioned bob
    assert fake.violations == []


def test_an_unknown_notification_type_is_off_spec(fake):
    alice = fake.create_account("alice")
    response = CLIENT.get(
        f"{fake.url}/api/v1/notifications", params={"types[]": "gossip"}, headers=bearer(alice.token)
    )
    assert response.status_code == 400
    assert any("types" in violation for violation in fake.violations)
    fake.violations.clear()


def test_direct_statuses_make_conversations_and_favourites_count(fake):
    alice, bob = fake.create_account("alice"), fake.create_account("bob")
    first = fake.deliver(bob, "@alice psst", visibility="direct")
    reply = fake.deliver(alice, "@bob yes?", visibility="direct", in_reply_to_id=first["id"])
    fake.deliver(bob, "@alice public")

    conversations = CLIENT.get(f"{fake.url}/api/v1/conversations", headers=bearer(bob.token)).json()
    favourite = CLIENT.post(
        f"{fake.url}/api/v1/statuses/{first['id']}/favourite", headers=bearer(alice.token)
    )

    [conversation] = conversations
    assert conversation["last_status"]["id"] == reply["id"]
    assert [a["acct"] for a in conversation["accounts"]] == ["alice"]
    assert favourite.status_code == 200
    assert favourite.json()["favourited"] is True and favourite.json()["favourites_count"] == 1
    assert fake.violations == []
