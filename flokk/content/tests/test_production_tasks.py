"""Production tasks: who can be given one, the board's moves and who may make them, delivering briefs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flokk.content.choices import BriefStatus, TaskStatus
from flokk.content.models import Brief, ProductionTask
from flokk.content.services.briefs import BriefConflict, BriefInput, create_brief, order_brief
from flokk.content.services.production import (
    TaskInput,
    allowed_moves,
    create_task,
    delete_task,
    eligible_assignees,
    move_task,
    role_holders,
    update_task,
)
from flokk.core.models import AuditEntry, Notification
from flokk.teams.models import Role
from flokk.teams.permissions import resolve_access


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
        TaskInput(title="Write copy", role_id=role.pk, assignee_id=member("copywriter").pk),
        actor=planner,
        brief=brief,
    )


def test_assigning_tells_the_assignee(demo, brief, planner, role, member, django_capture_on_commit_callbacks):
    writer = member("copywriter")
    with django_capture_on_commit_callbacks(execute=True):
        task = create_task(
            demo, TaskInput(title="Copy", role_id=role.pk, assignee_id=writer.pk), actor=planner, brief=brief
        )
    assert task.status == TaskStatus.TODO
    assert Notification.objects.filter(recipient=writer, action="content.task.assigned").count() == 1
    assert AuditEntry.objects.filter(action="content.task.created", target_id=str(task.pk)).exists()
    assert AuditEntry.objects.filter(action="content.task.assigned", target_id=str(task.pk)).exists()


def test_the_person_must_hold_the_role(demo, planner, role, member):
    with pytest.raises(ValidationError) as caught:
        create_task(
            demo, TaskInput(title="Copy", role_id=role.pk, assignee_id=member("analyst").pk), actor=planner
        )
    assert "assignee_id" in caught.value.error_dict
    assert not ProductionTask.objects.filter(title="Copy").exists()


def test_a_person_needs_a_role_first(demo, planner, member):
    with pytest.raises(ValidationError) as caught:
        create_task(demo, TaskInput(title="Copy", assignee_id=member("copywriter").pk), actor=planner)
    assert "role_id" in caught.value.error_dict


def test_outsiders_and_other_organizations_roles_are_refused(demo, planner, role, outsider):
    with pytest.raises(ValidationError):
        create_task(demo, TaskInput(title="Copy", role_id=role.pk, assignee_id=outsider.pk), actor=planner)
    other_role = Role.objects.exclude(organization=demo).filter(key="copywriter").first()
    assert other_role is not None
    with pytest.raises(ValidationError) as caught:
        create_task(demo, TaskInput(title="Copy", role_id=other_role.pk), actor=planner)
    assert "role_id" in caught.value.error_dict


def test_agency_members_with_the_role_can_be_given_tasks(demo, planner, agency_user):
    designer = Role.objects.get(organization=demo, key="graphic-designer")
    assert agency_user in eligible_assignees(demo, designer)
    assert agency_user in role_holders(demo, [designer])[designer.pk]
    task = create_task(
        demo, TaskInput(title="Visual", role_id=designer.pk, assignee_id=agency_user.pk), actor=planner
    )
    assert task.assignee == agency_user
    copy = Role.objects.get(organization=demo, key="copywriter")
    assert agency_user not in eligible_assignees(demo, copy)


def test_reassigning_tells_the_new_person(
    demo, task, planner, role, member, django_capture_on_commit_callbacks
):
    designer_role = Role.objects.get(organization=demo, key="graphic-designer")
    designer = member("graphic-designer")
    with django_capture_on_commit_callbacks(execute=True):
        update_task(
            task,
            TaskInput(title="Visual", role_id=designer_role.pk, assignee_id=designer.pk),
            actor=planner,
        )
    task.refresh_from_db()
    assert task.assignee == designer
    assert Notification.objects.filter(recipient=designer, action="content.task.assigned").exists()


def test_no_tasks_on_closed_briefs(demo, brief, planner):
    Brief.objects.filter(pk=brief.pk).update(status=BriefStatus.CANCELLED)
    brief.refresh_from_db()
    with pytest.raises(BriefConflict):
        create_task(demo, TaskInput(title="Late"), actor=planner, brief=brief)


def test_delete_task(task, planner):
    task_id = task.pk
    delete_task(task, actor=planner)
    assert not ProductionTask.objects.filter(pk=task_id).exists()
    assert AuditEntry.objects.filter(action="content.task.deleted", target_id=str(task_id)).exists()


# (from, to) -> who may: "work" (producers and reviewers), "review" (reviewers only) or None (never).
MOVES = {(a, b): None for a in TaskStatus.values for b in TaskStatus.values} | {
    ("todo", "doing"): "work",
    ("doing", "todo"): "work",
    ("doing", "review"): "work",
    ("review", "done"): "review",
    ("review", "doing"): "review",
    ("done", "review"): "review",
}


@pytest.mark.parametrize(("source", "target"), list(MOVES))
def test_the_board_moves_and_who_may_make_them(demo, task, member, source, target):
    ProductionTask.objects.filter(pk=task.pk).update(status=source)
    task.refresh_from_db()
    rule = MOVES[(source, target)]
    producer = member("copywriter")  # production.work
    reviewer = member("content-manager")  # production.approve
    coordinator = member("marketing-coordinator")  # production_management.work only
    onlooker = member("analyst")  # production.view
    if rule is None:
        with pytest.raises(BriefConflict):
            move_task(task, target, actor=reviewer)
        task.refresh_from_db()
        assert task.status == source
        return
    may = [reviewer, coordinator] + ([producer] if rule == "work" else [])
    may_not = [onlooker] + ([] if rule == "work" else [producer])
    for person in may_not:
        assert target not in allowed_moves(task, resolve_access(person, demo))
        with pytest.raises(PermissionDenied):
            move_task(task, target, actor=person)
        task.refresh_from_db()
        assert task.status == source
    for person in may:
        assert target in allowed_moves(task, resolve_access(person, demo))
    move_task(task, target, actor=may[-1])
    task.refresh_from_db()
    assert task.status == target
    assert AuditEntry.objects.filter(
        action="content.task.moved", target_id=str(task.pk), data__to=target
    ).exists()


def test_moving_to_review_tells_the_briefs_creator(task, planner, member, django_capture_on_commit_callbacks):
    writer = member("copywriter")
    move_task(task, "doing", actor=writer)
    with django_capture_on_commit_callbacks(execute=True):
        move_task(task, "review", actor=writer)
    assert Notification.objects.filter(recipient=planner, action="content.task.review_requested").count() == 1


def test_the_last_task_done_delivers_the_ordered_brief(
    demo, brief, task, planner, role, member, django_capture_on_commit_callbacks
):
    second = create_task(demo, TaskInput(title="Second", role_id=role.pk), actor=planner, brief=brief)
    order_brief(brief, actor=planner)
    reviewer = member("content-manager")
    for each in (task, second):
        ProductionTask.objects.filter(pk=each.pk).update(status=TaskStatus.REVIEW)
        each.refresh_from_db()
    move_task(task, "done", actor=reviewer)
    brief.refresh_from_db()
    assert brief.status == BriefStatus.ORDERED  # one task still open
    with django_capture_on_commit_callbacks(execute=True):
        move_task(second, "done", actor=reviewer)
    brief.refresh_from_db()
    assert brief.status == BriefStatus.DELIVERED
    assert Notification.objects.filter(recipient=planner, action="content.brief.delivered").count() == 1
    entry = AuditEntry.objects.get(action="content.brief.delivered", target_id=str(brief.pk))
    assert entry.data["automatic"] is True


def test_done_tasks_of_a_draft_brief_do_not_deliver_it(brief, task, member):
    ProductionTask.objects.filter(pk=task.pk).update(status=TaskStatus.REVIEW)
    task.refresh_from_db()
    move_task(task, "done", actor=member("content-manager"))
    brief.refresh_from_db()
    assert brief.status == BriefStatus.DRAFT
