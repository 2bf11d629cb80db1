"""The production board: tasks, who does them, moving them between columns, due-date reminders.

Columns: todo -> doing -> review -> done; doing -> todo, review -> doing (sent back), done -> review
(reopened). Moving between to-do, doing and review is producers' work (`production.work`); deciding on
review (done, sent back, reopened) takes `production.approve`. Production managers
(`production_management.work`) run the board and may make every move. When the last task of an ordered
brief is done, the brief is delivered and its creator told.

Who can be given a task: an active direct member who holds the task's role, or a member of an agency with
active access to the production area whose agency membership holds the built-in role with the same key.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.content.choices import BriefStatus, TaskKind, TaskStatus
from flokk.content.models import Brief, ProductionTask
from flokk.content.services.briefs import BriefConflict, deliver_brief
from flokk.core.audit import record
from flokk.core.notifications import notify
from flokk.teams.choices import Area
from flokk.teams.models import AgencyAccess, Membership, Organization, Role, User
from flokk.teams.permissions import Access, resolve_access

# Production managers run the board, so they may make every move; producers only the working ones.
WORK = ("production.work", "production_management.work")
REVIEW = ("production.approve", "production_management.work")
# (from, to) -> the permissions of which the actor needs one.
MOVES: dict[tuple[str, str], tuple[str, ...]] = {
    (TaskStatus.TODO, TaskStatus.DOING): WORK,
    (TaskStatus.DOING, TaskStatus.TODO): WORK,
    (TaskStatus.DOING, TaskStatus.REVIEW): WORK,
    (TaskStatus.REVIEW, TaskStatus.DONE): REVIEW,
    (TaskStatus.REVIEW, TaskStatus.DOING): REVIEW,
    (TaskStatus.DONE, TaskStatus.REVIEW): REVIEW,
}
CLOSED_BRIEFS = frozenset({BriefStatus.DELIVERED, BriefStatus.CANCELLED})


@dataclass
class TaskInput:
    """Everything a person sets on a task; the brief is chosen when the task is created."""

    title: str
    description: str = ""
    kind: str = TaskKind.COPY
    role_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    due_on: dt.date | None = None


def _invalid(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def board_url(organization: Organization) -> str:
    return reverse("content:board", args=[organization.slug])


def allowed_moves(task: ProductionTask, access: Access) -> list[str]:
    """The columns this person may move the task to, in board order."""
    return [
        target
        for target in TaskStatus.values
        if any(access.has(name) for name in MOVES.get((task.status, target), ()))
    ]


# --- who may be given a task ------------------------------------------------------------------------
def eligible_assignees(organization: Organization, role: Role) -> QuerySet[User]:
    """Active people who hold the role here (directly, or through an agency with production access)."""
    holds = Q(memberships__organization=organization, memberships__roles=role, memberships__is_active=True)
    if role.is_builtin:
        agencies = _production_agencies(organization)
        if agencies:
            holds |= Q(
                memberships__organization_id__in=agencies,
                memberships__roles__key=role.key,
                memberships__is_active=True,
            )
    return User.objects.filter(holds, is_active=True).distinct().order_by("name", "email")


def _production_agencies(organization: Organization) -> list[uuid.UUID]:
    return [
        grant.agency_id
        for grant in AgencyAccess.objects.active().filter(client=organization)
        if Area.PRODUCTION in grant.areas
    ]


def role_holders(organization: Organization, roles: list[Role]) -> dict[uuid.UUID, list[User]]:
    """Per role, the people who may be given its tasks (for the task form), in a fixed number of queries."""
    found: dict[uuid.UUID, dict[uuid.UUID, User]] = {role.pk: {} for role in roles}
    builtin_by_key = {role.key: role.pk for role in roles if role.is_builtin}
    direct = Membership.objects.active().filter(organization=organization, user__is_active=True)
    for membership in direct.select_related("user").prefetch_related("roles"):
        for role in membership.roles.all():
            if role.pk in found:
                found[role.pk][membership.user.pk] = membership.user
    agencies = _production_agencies(organization)
    if agencies and builtin_by_key:
        through = Membership.objects.active().filter(organization_id__in=agencies, user__is_active=True)
        for membership in through.select_related("user").prefetch_related("roles"):
            for role in membership.roles.all():
                if role.key in builtin_by_key:
                    found[builtin_by_key[role.key]][membership.user.pk] = membership.user
    return {
        role_id: sorted(people.values(), key=lambda person: (person.name, person.email))
        for role_id, people in found.items()
    }


def _resolve(organization: Organization, data: TaskInput) -> tuple[Role | None, User | None]:
    if not data.title.strip():
        raise _invalid("title", _("Give the task a title."), "required")
    if data.kind not in TaskKind.values:
        raise _invalid("kind", _("Unknown kind of task."), "unknown_kind")
    role = None
    if data.role_id is not None:
        role = Role.objects.filter(organization=organization, pk=data.role_id).first()
        if role is None:
            raise _invalid("role_id", _("No such role."), "unknown_role")
    assignee = None
    if data.assignee_id is not None:
        if role is None:
            raise _invalid("role_id", _("Choose the role before the person."), "role_required")
        assignee = eligible_assignees(organization, role).filter(pk=data.assignee_id).first()
        if assignee is None:
            raise _invalid(
                "assignee_id",
                _("%(role)s is not one of this person's roles here.") % {"role": role.name},
                "not_role_holder",
            )
    return role, assignee


def _next_position(organization: Organization, status: str) -> int:
    last = ProductionTask.objects.for_org(organization).filter(status=status).aggregate(Max("position"))
    return (last["position__max"] or 0) + 1


def _notify_assigned(task: ProductionTask, assignee: User | None, actor: User | None) -> None:
    if assignee is None or (actor is not None and assignee.pk == actor.pk):
        return
    title = task.title
    notify(
        [assignee],
        organization=task.organization,
        action="content.task.assigned",
        message=lambda: _("A task was given to you: %(title)s") % {"title": title},
        url=board_url(task.organization),
    )


# --- writing tasks ----------------------------------------------------------------------------------
def create_task(
    organization: Organization, data: TaskInput, *, actor: User, brief: Brief | None = None
) -> ProductionTask:
    """A new to-do task, on a brief or on its own; the person (if any) must hold the chosen role."""
    if brief is not None:
        if brief.organization_id != organization.pk:
            raise _invalid("brief_id", _("No such brief."), "unknown_brief")
        if brief.status in CLOSED_BRIEFS:
            raise BriefConflict(_("This brief is closed; reopen it to add tasks."), code="brief_closed")
    role, assignee = _resolve(organization, data)
    with transaction.atomic():
        task = ProductionTask.objects.create(
            organization=organization,
            brief=brief,
            title=data.title.strip()[:200],
            description=data.description.strip(),
            kind=data.kind,
            role=role,
            assignee=assignee,
            due_on=data.due_on,
            position=_next_position(organization, TaskStatus.TODO),
            created_by=actor,
        )
        record(
            "content.task.created",
            organization=organization,
            actor=actor,
            target=task,
            data={"brief": str(brief.pk) if brief else None},
        )
        if assignee is not None:
            record(
                "content.task.assigned",
                organization=organization,
                actor=actor,
                target=task,
                data={"assignee": str(assignee.pk)},
            )
            _notify_assigned(task, assignee, actor)
    return task


def update_task(task: ProductionTask, data: TaskInput, *, actor: User) -> ProductionTask:
    """Change a task's text, kind, role, person or due date; a new person is told."""
    role, assignee = _resolve(task.organization, data)
    with transaction.atomic():
        previous = task.assignee_id
        task.title = data.title.strip()[:200]
        task.description = data.description.strip()
        task.kind = data.kind
        task.role = role
        task.assignee = assignee
        if task.due_on != data.due_on:
            task.reminded_on = None  # a new date earns a new reminder
        task.due_on = data.due_on
        task.save()
        record("content.task.updated", organization=task.organization, actor=actor, target=task)
        if task.assignee_id != previous:
            record(
                "content.task.assigned",
                organization=task.organization,
                actor=actor,
                target=task,
                data={"assignee": str(task.assignee_id) if task.assignee_id else None},
            )
            _notify_assigned(task, assignee, actor)
    return task


def delete_task(task: ProductionTask, *, actor: User) -> None:
    """Remove a task from the board."""
    with transaction.atomic():
        record(
            "content.task.deleted",
            organization=task.organization,
            actor=actor,
            target=task,
            data={"status": task.status},
        )
        task.delete()


def move_task(
    task: ProductionTask, status: str, *, actor: User, access: Access | None = None
) -> ProductionTask:
    """Move the task to another column if the board allows it and the actor may make that move.

    Raises BriefConflict for a move the board does not allow and PermissionDenied for one the actor may
    not make. Moving to review tells the brief's creator; the last task done delivers an ordered brief.
    """
    access = access or resolve_access(actor, task.organization)
    if access is None:
        raise PermissionDenied("not a member")
    with transaction.atomic():
        locked = ProductionTask.objects.select_for_update().get(pk=task.pk)
        needed = MOVES.get((locked.status, status))
        if needed is None:
            raise BriefConflict(
                _("A task in %(from)s cannot move to %(to)s.")
                % {
                    "from": TaskStatus(locked.status).label,
                    "to": TaskStatus(status).label if status in TaskStatus.values else status,
                }
            )
        if not any(access.has(name) for name in needed):
            raise PermissionDenied(needed[0])
        source = locked.status
        task.status = status
        task.position = _next_position(task.organization, status)
        task.save(update_fields=["status", "position", "updated_at"])
        record(
            "content.task.moved",
            organization=task.organization,
            actor=actor,
            target=task,
            data={"from": source, "to": status},
        )
        if status == TaskStatus.REVIEW:
            _notify_review(task, actor)
        if status == TaskStatus.DONE and task.brief_id is not None:
            _deliver_when_complete(task, actor)
    return task


def _notify_review(task: ProductionTask, actor: User) -> None:
    reviewer = task.brief.created_by if task.brief is not None else task.created_by
    if reviewer is None or reviewer.pk == actor.pk:
        return
    title = task.title
    notify(
        [reviewer],
        organization=task.organization,
        action="content.task.review_requested",
        message=lambda: _("Ready for review: %(title)s") % {"title": title},
        url=board_url(task.organization),
    )


def _deliver_when_complete(task: ProductionTask, actor: User) -> None:
    if task.brief_id is None:
        return
    brief = Brief.objects.select_for_update().get(pk=task.brief_id)
    if brief.status != BriefStatus.ORDERED:
        return
    if brief.tasks.exclude(status=TaskStatus.DONE).exists():
        return
    deliver_brief(brief, actor=actor, automatic=True)


# --- due-date reminders -----------------------------------------------------------------------------
def local_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    """The date it is now in the organization's time zone."""
    now = now or timezone.now()
    try:
        zone = zoneinfo.ZoneInfo(organization.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone).date()


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Remind people of open tasks due tomorrow, today or overdue, once per local day; returns how many.

    Each task is claimed with a conditional update of `reminded_on`, so two workers never remind twice.
    Tasks with nobody assigned remind the members who hold the task's role.
    """
    now = now or timezone.now()
    sent = 0
    horizon = (now + dt.timedelta(days=2)).date()  # tomorrow in any time zone is before this
    candidates = (
        ProductionTask.objects.exclude(status=TaskStatus.DONE)
        .filter(due_on__isnull=False, due_on__lte=horizon)
        .exclude(brief__status__in=CLOSED_BRIEFS)
        .select_related("organization", "assignee", "role")
    )
    for task in candidates:
        today = local_today(task.organization, now)
        if task.due_on is None or task.due_on > today + dt.timedelta(days=1) or task.reminded_on == today:
            continue
        with transaction.atomic():
            claimed = (
                ProductionTask.objects.filter(pk=task.pk)
                .filter(Q(reminded_on__isnull=True) | ~Q(reminded_on=today))
                .update(reminded_on=today)
            )
            if claimed != 1:
                continue
            if task.assignee is not None:
                recipients: list[User] = [task.assignee]
            elif task.role is not None:
                recipients = list(eligible_assignees(task.organization, task.role))
            else:
                recipients = []
            _notify_due(task, recipients, today)
            sent += 1
    return sent


def _notify_due(task: ProductionTask, recipients: list[User], today: dt.date) -> None:
    title = task.title
    due_on = task.due_on
    assert due_on is not None

    def message() -> str:
        if due_on < today:
            return _("Overdue since %(date)s: %(title)s") % {"date": due_on.isoformat(), "title": title}
        if due_on == today:
            return _("Due today: %(title)s") % {"title": title}
        return _("Due tomorrow: %(title)s") % {"title": title}

    notify(
        recipients,
        organization=task.organization,
        action="content.task.due",
        message=message,
        url=board_url(task.organization),
    )


# --- reading the board ------------------------------------------------------------------------------
def board_tasks(
    organization: Organization,
    *,
    assignee_id: str = "",
    role_id: str = "",
    brief_id: str = "",
    status: str = "",
) -> QuerySet[ProductionTask]:
    """The organization's tasks with what a card shows, filtered by person, role, brief or column."""
    tasks = ProductionTask.objects.for_org(organization).select_related("brief", "assignee", "role")
    filters = {"assignee_id": assignee_id, "role_id": role_id, "brief_id": brief_id}
    for name, value in filters.items():
        if value:
            try:
                tasks = tasks.filter(**{name: uuid.UUID(str(value))})
            except ValueError:
                return tasks.none()
    if status:
        tasks = tasks.filter(status=status)
    return tasks
