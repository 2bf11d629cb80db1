"""The briefs and tasks API: may / may not (403) / outsider (404), 409 on refused transitions."""

from __future__ import annotations

import pytest

from flokk.content.choices import BriefStatus, TaskStatus
from flokk.content.models import Brief, ProductionTask
from flokk.content.services.briefs import BriefInput, create_brief
from flokk.content.services.production import TaskInput, create_task
from flokk.teams.models import Role
from flokk.teams.services.organizations import create_organization

API = "/api/v1/orgs/demo"


@pytest.fixture
def planner(member):
    return member("social-media-manager")


@pytest.fixture
def brief(demo, planner) -> Brief:
    return create_brief(demo, BriefInput(title="Teaser", purpose="Sign-ups"), actor=planner)


@pytest.fixture
def role(demo) -> Role:
    return Role.objects.get(organization=demo, key="copywriter")


@pytest.fixture
def task(demo, brief, planner, role, member) -> ProductionTask:
    return create_task(
        demo,
        TaskInput(title="Copy", role_id=role.pk, assignee_id=member("copywriter").pk),
        actor=planner,
        brief=brief,
    )


@pytest.fixture
def foreign(outsider):
    """A brief and a task of another organization, whose ids must answer 404 in the demo."""
    other = create_organization(name="Elsewhere", slug="elsewhere", owner=outsider)
    brief = create_brief(other, BriefInput(title="Theirs", purpose="p"), actor=outsider)
    task = create_task(other, TaskInput(title="Their task"), actor=outsider, brief=brief)
    return brief, task


def test_list_and_get_briefs(brief, member, outsider, api_for, foreign):
    client = api_for(member("copywriter"))
    response = client.get(f"{API}/briefs?status=draft")
    assert response.status_code == 200
    assert [b["title"] for b in response.json()] == ["Teaser"]
    assert client.get(f"{API}/briefs/{brief.pk}").json()["status"] == "draft"
    assert client.get(f"{API}/briefs/{foreign[0].pk}").status_code == 404
    assert api_for(member("community-manager")).get(f"{API}/briefs").status_code == 403
    assert api_for(outsider).get(f"{API}/briefs").status_code == 404


def test_create_and_patch_a_brief(demo, planner, member, outsider, api_for):
    body = {"title": "Summer", "purpose": "Reach", "networks": ["sandbox"], "due_on": "2030-06-01"}
    assert (
        api_for(member("copywriter")).post(f"{API}/briefs", body, content_type="application/json").status_code
        == 403
    )
    assert api_for(outsider).post(f"{API}/briefs", body, content_type="application/json").status_code == 404
    response = api_for(planner).post(f"{API}/briefs", body, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["networks"], created["due_on"]) == ("draft", ["sandbox"], "2030-06-01")
    patch = api_for(planner).patch(
        f"{API}/briefs/{created['id']}", {"title": "Summer!", "due_on": None}, content_type="application/json"
    )
    assert patch.status_code == 200
    assert (patch.json()["title"], patch.json()["purpose"], patch.json()["due_on"]) == (
        "Summer!",
        "Reach",
        None,
    )
    invalid = api_for(planner).post(
        f"{API}/briefs",
        {"title": "x", "purpose": "y", "networks": ["myspace"]},
        content_type="application/json",
    )
    assert invalid.status_code == 422


def test_patching_a_closed_brief_is_a_conflict(brief, planner, member, api_for):
    assert (
        api_for(member("copywriter"))
        .patch(f"{API}/briefs/{brief.pk}", {"title": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    Brief.objects.filter(pk=brief.pk).update(status=BriefStatus.DELIVERED)
    response = api_for(planner).patch(
        f"{API}/briefs/{brief.pk}", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_editable"


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("draft", "order", "ordered"),
        ("ordered", "deliver", "delivered"),
        ("delivered", "reopen", "ordered"),
        ("draft", "cancel", "cancelled"),
        ("ordered", "cancel", "cancelled"),
    ],
)
def test_brief_transitions(brief, planner, member, outsider, api_for, foreign, start, action, end):
    Brief.objects.filter(pk=brief.pk).update(status=start)
    path = f"{API}/briefs/{brief.pk}/{action}"
    assert api_for(member("copywriter")).post(path).status_code == 403
    assert api_for(outsider).post(path).status_code == 404
    assert api_for(planner).post(f"{API}/briefs/{foreign[0].pk}/{action}").status_code == 404
    response = api_for(planner).post(path)
    assert response.status_code == 200
    assert response.json()["status"] == end
    again = api_for(planner).post(path)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_tasks_list_filters(demo, task, planner, member, api_for):
    create_task(demo, TaskInput(title="Loose"), actor=planner)
    client = api_for(member("copywriter"))
    mine = client.get(f"{API}/tasks?assignee={member('copywriter').pk}").json()
    assert "Copy" in [t["title"] for t in mine]
    assert all(t["assignee_id"] == str(member("copywriter").pk) for t in mine)
    on_brief = client.get(f"{API}/tasks?brief={task.brief_id}").json()
    assert [t["title"] for t in on_brief] == ["Copy"]
    assert all(t["status"] == "todo" for t in client.get(f"{API}/tasks?status=todo").json())
    assert client.get(f"{API}/tasks?status=nope").status_code == 422
    assert api_for(member("community-manager")).get(f"{API}/tasks").status_code == 403


def test_create_get_patch_delete_a_task(brief, role, planner, member, outsider, api_for, foreign):
    body = {"title": "Visual", "kind": "design", "brief_id": str(brief.pk), "role_id": str(role.pk)}
    assert (
        api_for(member("copywriter")).post(f"{API}/tasks", body, content_type="application/json").status_code
        == 403
    )
    assert api_for(outsider).post(f"{API}/tasks", body, content_type="application/json").status_code == 404
    foreign_brief = {**body, "brief_id": str(foreign[0].pk)}
    assert (
        api_for(planner).post(f"{API}/tasks", foreign_brief, content_type="application/json").status_code
        == 404
    )
    wrong_person = {**body, "assignee_id": str(member("analyst").pk)}
    assert (
        api_for(planner).post(f"{API}/tasks", wrong_person, content_type="application/json").status_code
        == 422
    )
    created = api_for(planner).post(f"{API}/tasks", body, content_type="application/json")
    assert created.status_code == 201
    task_id = created.json()["id"]
    assert api_for(member("copywriter")).get(f"{API}/tasks/{task_id}").json()["kind"] == "design"
    assert api_for(planner).get(f"{API}/tasks/{foreign[1].pk}").status_code == 404
    writer = str(member("copywriter").pk)
    assert (
        api_for(member("copywriter"))
        .patch(f"{API}/tasks/{task_id}", {"assignee_id": writer}, content_type="application/json")
        .status_code
        == 403
    )
    patched = api_for(planner).patch(
        f"{API}/tasks/{task_id}", {"assignee_id": writer}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert (patched.json()["assignee_id"], patched.json()["title"]) == (writer, "Visual")
    assert api_for(member("copywriter")).delete(f"{API}/tasks/{task_id}").status_code == 403
    assert api_for(planner).delete(f"{API}/tasks/{foreign[1].pk}").status_code == 404
    assert api_for(planner).delete(f"{API}/tasks/{task_id}").status_code == 204
    assert not ProductionTask.objects.filter(pk=task_id).exists()


def test_tasks_on_closed_briefs_are_a_conflict(brief, role, planner, api_for):
    Brief.objects.filter(pk=brief.pk).update(status=BriefStatus.CANCELLED)
    body = {"title": "Late", "brief_id": str(brief.pk)}
    assert api_for(planner).post(f"{API}/tasks", body, content_type="application/json").status_code == 409


@pytest.mark.parametrize(
    ("start", "target", "allowed", "refused"),
    [
        ("todo", "doing", "copywriter", "analyst"),
        ("doing", "todo", "copywriter", "analyst"),
        ("doing", "review", "copywriter", "analyst"),
        ("review", "done", "content-manager", "copywriter"),
        ("review", "doing", "marketing-coordinator", "copywriter"),
        ("done", "review", "content-manager", "copywriter"),
    ],
)
def test_moving_tasks(task, member, outsider, api_for, foreign, start, target, allowed, refused):
    ProductionTask.objects.filter(pk=task.pk).update(status=start)
    path = f"{API}/tasks/{task.pk}/move"
    body = {"status": target}
    assert api_for(member(refused)).post(path, body, content_type="application/json").status_code == 403
    assert api_for(outsider).post(path, body, content_type="application/json").status_code == 404
    foreign_path = f"{API}/tasks/{foreign[1].pk}/move"
    assert (
        api_for(member(allowed)).post(foreign_path, body, content_type="application/json").status_code == 404
    )
    response = api_for(member(allowed)).post(path, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == target
    task.refresh_from_db()
    assert task.status == target


def test_an_impossible_move_is_409(task, member, api_for):
    response = api_for(member("content-manager")).post(
        f"{API}/tasks/{task.pk}/move", {"status": TaskStatus.DONE}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_openapi_declares_the_operations_and_their_statuses(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        op["operationId"]: op
        for path in schema["paths"].values()
        for op in path.values()
        if "operationId" in op
    }
    for name in ("order_brief", "deliver_brief", "cancel_brief", "reopen_brief", "move_task"):
        assert "409" in operations[f"flokk_content_api_{name}"]["responses"]
    for name in (
        "list_briefs",
        "create_brief",
        "get_brief",
        "update_brief",
        "list_tasks",
        "create_task",
        "get_task",
        "update_task",
        "delete_task",
    ):
        assert "404" in operations[f"flokk_content_api_{name}"]["responses"]
