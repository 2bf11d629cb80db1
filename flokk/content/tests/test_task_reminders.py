"""Due-date reminders of production tasks: once per local day, to the assignee or the role's holders."""

from __future__ import annotations

import datetime as dt

import pytest

from flokk.content.choices import BriefStatus, TaskStatus
from flokk.content.models import Brief, ProductionTask
from flokk.content.services.production import TaskInput, create_task, send_due_reminders
from flokk.core.models import Notification
from flokk.core.periodic import JOBS, discover_jobs, run_due_jobs
from flokk.teams.models import Role

# 10:00 UTC on a Tuesday: in Stockholm (the demo's zone) the same date, 11:00 or 12:00.
NOW = dt.datetime(2030, 6, 4, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2030, 6, 4)


@pytest.fixture(autouse=True)
def no_demo_tasks(demo):
    ProductionTask.objects.all().delete()


@pytest.fixture
def role(demo) -> Role:
    return Role.objects.get(organization=demo, key="copywriter")


@pytest.fixture
def make_task(demo, member, role):
    def make(due: dt.date | None, *, assigned: bool = True, **fields: object) -> ProductionTask:
        task = create_task(
            demo,
            TaskInput(
                title=f"Task due {due}",
                role_id=role.pk,
                assignee_id=member("copywriter").pk if assigned else None,
                due_on=due,
            ),
            actor=member("social-media-manager"),
        )
        if fields:
            ProductionTask.objects.filter(pk=task.pk).update(**fields)
            task.refresh_from_db()
        return task

    return make


def reminders(user=None):
    found = Notification.objects.filter(action="content.task.due")
    return found.filter(recipient=user) if user is not None else found


def remind(now: dt.datetime, capture) -> int:
    with capture(execute=True):
        return send_due_reminders(now)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(-3, "Overdue since 2030-06-01"), (0, "Due today"), (1, "Due tomorrow")],
)
def test_due_and_overdue_tasks_remind_the_assignee(
    make_task, member, days, expected, django_capture_on_commit_callbacks
):
    task = make_task(TODAY + dt.timedelta(days=days))
    assert remind(NOW, django_capture_on_commit_callbacks) == 1
    (note,) = reminders(member("copywriter"))
    assert note.message.startswith(expected)
    assert task.title in note.message
    task.refresh_from_db()
    assert task.reminded_on == TODAY


def test_reminders_are_sent_once_a_day_even_when_the_job_runs_twice(
    make_task, member, django_capture_on_commit_callbacks
):
    make_task(TODAY)
    assert remind(NOW, django_capture_on_commit_callbacks) == 1
    assert remind(NOW + dt.timedelta(minutes=15), django_capture_on_commit_callbacks) == 0
    assert reminders(member("copywriter")).count() == 1
    # The next local day it reminds again (now overdue).
    assert remind(NOW + dt.timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert reminders(member("copywriter")).count() == 2


def test_a_claimed_task_is_not_reminded_by_a_second_worker(make_task, django_capture_on_commit_callbacks):
    task = make_task(TODAY)
    # Another worker already claimed today's reminder between this worker's read and its update.
    ProductionTask.objects.filter(pk=task.pk).update(reminded_on=TODAY)
    assert remind(NOW, django_capture_on_commit_callbacks) == 0
    assert not reminders().exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"due_on": TODAY + dt.timedelta(days=2)},
        {"due_on": None},
        {"status": TaskStatus.DONE},
    ],
)
def test_no_reminder_for_later_undated_or_done_tasks(make_task, fields, django_capture_on_commit_callbacks):
    make_task(TODAY, **fields)
    assert remind(NOW, django_capture_on_commit_callbacks) == 0
    assert not reminders().exists()


def test_no_reminder_for_tasks_of_cancelled_briefs(
    demo, make_task, member, django_capture_on_commit_callbacks
):
    brief = Brief.objects.create(organization=demo, title="B", purpose="p", status=BriefStatus.CANCELLED)
    make_task(TODAY, brief=brief)
    assert remind(NOW, django_capture_on_commit_callbacks) == 0


def test_unassigned_tasks_remind_the_roles_holders(make_task, member, django_capture_on_commit_callbacks):
    make_task(TODAY, assigned=False)
    assert remind(NOW, django_capture_on_commit_callbacks) == 1
    assert [n.recipient for n in reminders()] == [member("copywriter")]


def test_the_day_is_the_organizations_local_day(demo, make_task, django_capture_on_commit_callbacks):
    demo.time_zone = "Pacific/Auckland"
    demo.save(update_fields=["time_zone"])
    # 13:00 UTC on June 4 is already June 5 in Auckland: a task due June 6 is due "tomorrow" there.
    make_task(dt.date(2030, 6, 6))
    assert remind(dt.datetime(2030, 6, 4, 13, 0, tzinfo=dt.UTC), django_capture_on_commit_callbacks) == 1
    assert reminders().get().message.startswith("Due tomorrow")


def test_the_periodic_job_is_registered_and_runs(make_task, django_capture_on_commit_callbacks):
    discover_jobs()
    assert JOBS["content.task_due_reminders"].every == dt.timedelta(minutes=15)
    make_task(dt.date.today())
    with django_capture_on_commit_callbacks(execute=True):
        assert "content.task_due_reminders" in run_due_jobs()
        run_due_jobs()  # the same period again: not claimed a second time
    assert reminders().count() == 1
