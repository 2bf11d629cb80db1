"""Approval API: submit, approve, request changes, reject, and the approval state on GET."""

from __future__ import annotations

import json

import pytest

from flokk.channels.networks import Network
from flokk.content.services.approval import submit_for_approval
from flokk.content.services.posts import PostInput, create_post
from flokk.teams.choices import BUILTIN_ROLES, Area, Level

ALL_ROLES = sorted(BUILTIN_ROLES)


def production_level(role_key: str) -> int:
    return int(BUILTIN_ROLES[role_key][2].get(Area.PRODUCTION, Level.NONE))


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body) if body is not None else "", content_type="application/json")


@pytest.fixture
def writer(member):
    return member("copywriter")


@pytest.fixture
def draft(demo, writer):
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    return create_post(demo, PostInput(account_ids=[sandbox.pk], text="New range in store."), actor=writer)


@pytest.fixture
def in_review(draft, writer):
    submit_for_approval(draft, actor=writer)
    draft.refresh_from_db()
    return draft


def url(post, action: str = "") -> str:
    return f"/api/v1/orgs/demo/posts/{post.pk}" + (f"/{action}" if action else "")


@pytest.mark.parametrize("role_key", ALL_ROLES)
def test_submit_by_role(draft, member, api_for, role_key):
    response = post_json(api_for(member(role_key)), url(draft, "submit"))
    if production_level(role_key) >= Level.WORK:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "in_review"
        assert response.json()["approval"]["current_step_name"] == "Social media manager"
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role_key", ALL_ROLES)
@pytest.mark.parametrize(
    ("action", "body", "result"),
    [
        ("approve", None, "approved"),
        ("request-changes", {"comment": "Add the date."}, "changes_requested"),
        ("reject", {"comment": "Not for us."}, "rejected"),
    ],
)
def test_decisions_by_role(in_review, member, api_for, role_key, action, body, result):
    response = post_json(api_for(member(role_key)), url(in_review, action), body)
    if role_key == "social-media-manager":
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["status"] == result
        assert data["approval"]["decisions"][0]["verdict"] == action.replace("-", "_")
    else:
        assert response.status_code == 403
        in_review.refresh_from_db()
        assert in_review.status == "in_review"


@pytest.mark.parametrize("action", ["submit", "approve", "reject", "request-changes"])
def test_agency_user_is_forbidden_and_outsider_sees_nothing(
    in_review, agency_user, outsider, api_for, action
):
    body = {"comment": "x"}
    assert post_json(api_for(agency_user), url(in_review, action), body).status_code in (403, 409)
    assert post_json(api_for(agency_user), url(in_review, "approve")).status_code == 403
    assert post_json(api_for(outsider), url(in_review, action), body).status_code == 404
    assert (
        post_json(api_for(outsider), f"/api/v1/orgs/other/posts/{in_review.pk}/{action}", body).status_code
        == 404
    )


def test_get_shows_status_and_approval_state(in_review, member, api_for):
    client = api_for(member("social-media-manager"))
    before = client.get(url(in_review)).json()
    assert before["status"] == "in_review"
    assert before["approval"]["status"] == "open"
    assert before["approval"]["current_step"] == 0
    assert before["approval"]["decisions"] == []
    post_json(client, url(in_review, "approve"))
    after = client.get(url(in_review)).json()
    assert after["status"] == "approved"
    assert after["approval"]["status"] == "approved"
    assert after["approval"]["current_step"] is None


def test_invalid_transitions_are_409(draft, in_review, member, api_for, writer):
    smm = api_for(member("social-media-manager"))
    assert post_json(api_for(writer), url(in_review, "submit")).status_code == 409
    other = create_post(
        draft.organization,
        PostInput(account_ids=[draft.accounts.get().pk], text="Another."),
        actor=writer,
    )
    response = post_json(smm, url(other, "approve"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_check_errors_block_submit_with_422(demo, writer, api_for):
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    empty = create_post(demo, PostInput(account_ids=[sandbox.pk], text=""), actor=writer)
    response = post_json(api_for(writer), url(empty, "submit"))
    assert response.status_code == 422
    assert "quality check" in response.json()["error"]["message"]


def test_bad_input_never_500(in_review, member, api_for, client):
    smm = api_for(member("social-media-manager"))
    assert post_json(smm, url(in_review, "request-changes"), {}).status_code == 422
    assert post_json(smm, url(in_review, "request-changes"), {"comment": ""}).status_code == 422
    assert post_json(smm, url(in_review, "reject"), {"comment": 5}).status_code == 422
    assert smm.post(url(in_review, "reject"), "{not json", content_type="application/json").status_code in (
        400,
        422,
    )
    assert post_json(smm, "/api/v1/orgs/demo/posts/not-a-uuid/approve").status_code in (404, 422)
    assert post_json(client, url(in_review, "approve")).status_code == 401


def test_openapi_declares_the_status_codes(api_for, writer, client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/orgs/{org}/posts/{post_id}/approve"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
