"""Brief pages and the production board: who sees and does what, uploads, moves with and without htmx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flokk.content.choices import BriefStatus, TaskStatus
from flokk.content.models import Brief, BriefAttachment, Post, ProductionTask
from flokk.content.services.briefs import BriefInput, create_brief
from flokk.content.services.production import TaskInput, create_task
from flokk.teams.models import Role


@pytest.fixture
def planner(member):
    return member("social-media-manager")


@pytest.fixture
def brief(demo, planner) -> Brief:
    return create_brief(
        demo,
        BriefInput(title="Teaser <script>alert(1)</script>", purpose="Sign-ups", networks=["sandbox"]),
        actor=planner,
    )


@pytest.fixture
def task(demo, brief, planner, member) -> ProductionTask:
    role = Role.objects.get(organization=demo, key="copywriter")
    return create_task(
        demo,
        TaskInput(
            title="Write <b>copy</b>",
            role_id=role.pk,
            assignee_id=member("copywriter").pk,
            due_on=dt.date(2020, 1, 1),
        ),
        actor=planner,
        brief=brief,
    )


def url(name: str, *args: object) -> str:
    return reverse(f"content:{name}", args=["demo", *args])


# --- seeing -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["briefs", "board", "brief_detail"])
def test_pages_for_viewers_members_without_access_and_outsiders(
    page, brief, task, member, outsider, client_for
):
    args = [brief.pk] if page == "brief_detail" else []
    assert client_for(member("copywriter")).get(url(page, *args)).status_code == 200
    assert client_for(member("community-manager")).get(url(page, *args)).status_code == 403
    assert client_for(outsider).get(url(page, *args)).status_code == 404


def test_user_text_is_escaped(brief, task, member, client_for):
    client = client_for(member("copywriter"))
    for page in (url("briefs"), url("brief_detail", brief.pk), url("board")):
        html = client.get(page).content.decode()
        assert "<script>alert(1)" not in html
        assert "<b>copy</b>" not in html
    assert "&lt;script&gt;" in client.get(url("brief_detail", brief.pk)).content.decode()


def test_brief_list_filters_by_status(demo, brief, planner, client_for):
    create_brief(demo, BriefInput(title="Old one", purpose="p"), actor=planner)
    Brief.objects.filter(title="Old one").update(status=BriefStatus.CANCELLED)
    html = client_for(planner).get(url("briefs") + "?status=cancelled").content.decode()
    assert "Old one" in html
    assert "Teaser" not in html


def test_board_shows_cards_in_columns_with_overdue_highlighted(task, member, client_for):
    html = client_for(member("copywriter")).get(url("board")).content.decode()
    assert "Write &lt;b&gt;copy&lt;/b&gt;" in html
    assert "overdue" in html
    assert "Demo Copywriter" in html


def test_board_filters(demo, task, planner, member, client_for):
    create_task(demo, TaskInput(title="Unrelated chore"), actor=planner)
    client = client_for(member("copywriter"))
    html = client.get(url("board") + f"?assignee={member('copywriter').pk}").content.decode()
    assert "Write &lt;b&gt;copy" in html
    assert "Unrelated chore" not in html
    html = client.get(url("board") + f"?brief={task.brief_id}").content.decode()
    assert "Unrelated chore" not in html
    html = client.get(url("board") + f"?role={task.role_id}").content.decode()
    assert "Unrelated chore" not in html
    assert client.get(url("board") + "?role=not-a-uuid").status_code == 200


def test_board_query_count_does_not_grow_with_tasks(
    demo, brief, planner, member, client_for, django_assert_max_num_queries
):
    client = client_for(member("copywriter"))
    role = Role.objects.get(organization=demo, key="copywriter")
    create_task(demo, TaskInput(title="One", role_id=role.pk), actor=planner, brief=brief)
    with django_assert_max_num_queries(20) as few:
        client.get(url("board"))
    for n in range(25):
        create_task(
            demo,
            TaskInput(title=f"Task {n}", role_id=role.pk, assignee_id=member("copywriter").pk),
            actor=planner,
            brief=brief,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("board"))
    assert "Task 24" in response.content.decode()


# --- writing briefs ---------------------------------------------------------------------------------
def test_create_a_brief_with_an_attachment(demo, planner, member, outsider, client_for, media_root):
    data = {
        "title": "Summer",
        "purpose": "Reach",
        "networks": ["sandbox"],
        "attachment": SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide"),
    }
    assert client_for(member("copywriter")).post(url("brief_create"), data).status_code == 403
    assert client_for(outsider).post(url("brief_create"), data).status_code == 404
    data["attachment"] = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide")
    response = client_for(planner).post(url("brief_create"), data)
    brief = Brief.objects.get(title="Summer")
    assert response.status_code == 302
    assert response["Location"] == url("brief_detail", brief.pk)
    assert brief.networks == ["sandbox"]
    attachment = brief.attachments.get()
    download = client_for(member("copywriter")).get(url("brief_attachment", brief.pk, attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 guide"
    assert "attachment" in download["Content-Disposition"]
    assert client_for(outsider).get(url("brief_attachment", brief.pk, attachment.pk)).status_code == 404


def test_a_bad_upload_on_the_form_stores_nothing(planner, client_for, media_root):
    data = {"title": "Bad", "purpose": "p", "attachment": SimpleUploadedFile("x.pdf", b"MZ\x90\x00\x00")}
    response = client_for(planner).post(url("brief_create"), data)
    assert response.status_code == 400
    assert "This file type cannot be attached" in response.content.decode()
    assert not Brief.objects.filter(title="Bad").exists()
    assert not BriefAttachment.objects.exists()
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_edit_a_brief(brief, planner, member, client_for):
    data = {"title": "Renamed", "purpose": "p"}
    assert client_for(member("copywriter")).post(url("brief_edit", brief.pk), data).status_code == 403
    assert client_for(planner).get(url("brief_edit", brief.pk)).status_code == 200
    assert client_for(planner).post(url("brief_edit", brief.pk), data).status_code == 302
    brief.refresh_from_db()
    assert brief.title == "Renamed"


# (start status, action, resulting status)
TRANSITIONS = [
    ("draft", "order", "ordered"),
    ("ordered", "deliver", "delivered"),
    ("delivered", "reopen", "ordered"),
    ("draft", "cancel", "cancelled"),
    ("ordered", "cancel", "cancelled"),
]


@pytest.mark.parametrize(("start", "action", "end"), TRANSITIONS)
def test_brief_transitions_on_the_page(brief, planner, member, outsider, client_for, start, action, end):
    Brief.objects.filter(pk=brief.pk).update(status=start)
    target = url("brief_transition", brief.pk, action)
    assert client_for(member("copywriter")).post(target).status_code == 403
    assert client_for(outsider).post(target).status_code == 404
    brief.refresh_from_db()
    assert brief.status == start
    assert client_for(planner).post(target).status_code == 302
    brief.refresh_from_db()
    assert brief.status == end


def test_refused_transition_shows_a_message(brief, planner, client_for):
    response = client_for(planner).post(url("brief_transition", brief.pk, "deliver"), follow=True)
    assert "cannot be delivered" in response.content.decode()
    brief.refresh_from_db()
    assert brief.status == BriefStatus.DRAFT


def test_transition_buttons_only_for_allowed_actions(brief, planner, member, client_for):
    html = client_for(planner).get(url("brief_detail", brief.pk)).content.decode()
    assert url("brief_transition", brief.pk, "order") in html
    assert url("brief_transition", brief.pk, "cancel") in html
    assert url("brief_transition", brief.pk, "deliver") not in html
    html = client_for(member("copywriter")).get(url("brief_detail", brief.pk)).content.decode()
    assert url("brief_transition", brief.pk, "order") not in html


def test_new_post_from_a_brief(brief, member, client_for):
    assert client_for(member("analyst")).post(url("brief_new_post", brief.pk)).status_code == 403
    response = client_for(member("copywriter")).post(url("brief_new_post", brief.pk))
    post = Post.objects.get(brief=brief)
    assert response.status_code == 302
    assert response["Location"] == url("post_edit", post.pk)


# --- tasks on the pages -----------------------------------------------------------------------------
def test_create_a_task_from_the_brief_page(demo, brief, planner, member, outsider, client_for):
    role = Role.objects.get(organization=demo, key="graphic-designer")
    data = {
        "brief": str(brief.pk),
        "title": "Visual",
        "kind": "design",
        "role": str(role.pk),
        "assignee": str(member("graphic-designer").pk),
    }
    assert client_for(member("copywriter")).post(url("task_create"), data).status_code == 403
    assert client_for(outsider).post(url("task_create"), data).status_code == 404
    response = client_for(planner).post(url("task_create"), data)
    assert response.status_code == 302
    assert response["Location"] == url("brief_detail", brief.pk)
    task = ProductionTask.objects.get(title="Visual")
    assert (task.brief, task.assignee) == (brief, member("graphic-designer"))


def test_a_person_without_the_role_is_refused_on_the_form(demo, planner, member, client_for):
    role = Role.objects.get(organization=demo, key="graphic-designer")
    data = {
        "title": "Visual",
        "kind": "design",
        "role": str(role.pk),
        "assignee": str(member("copywriter").pk),
    }
    response = client_for(planner).post(url("task_create"), data)
    assert response.status_code == 400
    assert not ProductionTask.objects.filter(title="Visual").exists()


def test_edit_and_delete_a_task(task, planner, member, client_for):
    data = {"title": "Renamed", "kind": "copy"}
    assert client_for(member("copywriter")).post(url("task_edit", task.pk), data).status_code == 403
    assert client_for(planner).post(url("task_edit", task.pk), data).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.assignee) == ("Renamed", None)
    assert client_for(member("copywriter")).post(url("task_delete", task.pk)).status_code == 403
    assert client_for(planner).post(url("task_delete", task.pk)).status_code == 302
    assert not ProductionTask.objects.filter(pk=task.pk).exists()


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
def test_moving_cards_without_javascript(task, member, outsider, client_for, start, target, allowed, refused):
    ProductionTask.objects.filter(pk=task.pk).update(status=start)
    move = url("task_move", task.pk)
    assert client_for(member(refused)).post(move, {"status": target}).status_code == 403
    assert client_for(outsider).post(move, {"status": target}).status_code == 404
    task.refresh_from_db()
    assert task.status == start
    response = client_for(member(allowed)).post(move + "?role=" + str(task.role_id), {"status": target})
    assert response.status_code == 302
    assert response["Location"] == url("board") + f"?role={task.role_id}"
    task.refresh_from_db()
    assert task.status == target


def test_moving_a_card_with_htmx_returns_the_board(task, member, client_for):
    response = client_for(member("copywriter")).post(
        url("task_move", task.pk), {"status": "doing"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="board">')
    assert "<html" not in html
    task.refresh_from_db()
    assert task.status == TaskStatus.DOING


def test_an_impossible_move_is_refused_with_a_message(task, member, client_for):
    response = client_for(member("content-manager")).post(
        url("task_move", task.pk), {"status": "done"}, follow=True
    )
    assert "cannot move" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_nav_links_follow_permissions(demo, member, client_for):
    html = client_for(member("copywriter")).get(url("board")).content.decode()
    assert url("briefs") in html
    html = (
        client_for(member("community-manager")).get(reverse("teams:org_home", args=["demo"])).content.decode()
    )
    assert url("board") not in html
