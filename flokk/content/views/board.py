"""The production board: four columns of tasks, filters, moving cards, creating and editing tasks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.content.choices import BriefStatus, TaskStatus
from flokk.content.forms.briefs import TaskForm, add_errors
from flokk.content.models import Brief, ProductionTask
from flokk.content.services.approval import ApprovalConflict
from flokk.content.services.production import (
    allowed_moves,
    board_tasks,
    create_task,
    delete_task,
    local_today,
    move_task,
    update_task,
)
from flokk.core.rendering import is_htmx, render_page
from flokk.teams.models import Role, User
from flokk.teams.permissions import OrgRequest, org_permission

MANAGE = "production_management.work"
FILTERS = ("assignee", "role", "brief")


def _filters(request: OrgRequest) -> dict[str, str]:
    source = request.GET
    return {name: source.get(name, "")[:40] for name in FILTERS if source.get(name)}


def _board_context(request: OrgRequest) -> dict[str, Any]:
    filters = _filters(request)
    tasks = board_tasks(
        request.org,
        assignee_id=filters.get("assignee", ""),
        role_id=filters.get("role", ""),
        brief_id=filters.get("brief", ""),
    )
    today = local_today(request.org)
    columns: dict[str, list[dict[str, Any]]] = {status: [] for status in TaskStatus.values}
    for task in tasks:
        columns[task.status].append(
            {
                "task": task,
                "moves": allowed_moves(task, request.perms),
                "overdue": task.due_on is not None and task.due_on < today and task.status != TaskStatus.DONE,
            }
        )
    org_tasks = ProductionTask.objects.for_org(request.org)
    return {
        "columns": [(status, label, columns[status]) for status, label in TaskStatus.choices],
        "filters": filters,
        "query": urlencode(filters),
        "roles": Role.objects.filter(organization=request.org),
        "people": User.objects.filter(pk__in=org_tasks.values("assignee_id")).order_by("name", "email"),
        "briefs": Brief.objects.for_org(request.org)
        .exclude(status=BriefStatus.CANCELLED)
        .only("id", "title"),
        "htmx": is_htmx(request),
    }


def _render_board(request: OrgRequest) -> HttpResponse:
    return render_page(
        request, "content/pages/board.html", _board_context(request), partial="content/partials/board.html"
    )


@org_permission("production.view")
def board(request: OrgRequest) -> HttpResponse:
    return _render_board(request)


@require_POST
@org_permission("production.view")
def task_move(request: OrgRequest, task_id: str) -> HttpResponse:
    """Move a card; the service decides whether this person may make this move (403 when not)."""
    task = get_object_or_404(ProductionTask.objects.for_org(request.org), pk=task_id)
    status = request.POST.get("status", "")
    try:
        move_task(task, status, actor=request.user, access=request.perms)
    except ApprovalConflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Moved to %(column)s.") % {"column": TaskStatus(status).label})
    if request.POST.get("return_to") == "brief" and task.brief_id is not None:
        return redirect("content:brief_detail", request.org.slug, task.brief_id)
    if is_htmx(request):
        return _render_board(request)
    query = urlencode(_filters(request))
    return redirect(reverse("content:board", args=[request.org.slug]) + (f"?{query}" if query else ""))


def _task_form_page(
    request: OrgRequest, form: TaskForm, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render_page(request, "content/pages/task_form.html", {"form": form, **context}, status=status)


def _done(request: OrgRequest, brief_id: Any) -> HttpResponse:
    if brief_id:
        return redirect("content:brief_detail", request.org.slug, brief_id)
    return redirect("content:board", request.org.slug)


@org_permission(MANAGE)
def task_create(request: OrgRequest) -> HttpResponse:
    brief_id = request.POST.get("brief") or request.GET.get("brief") or ""
    brief = None
    if brief_id:
        try:
            brief = get_object_or_404(Brief.objects.for_org(request.org), pk=brief_id)
        except ValidationError:
            brief = None
    form = TaskForm(request.POST or None, organization=request.org)
    context = {"brief": brief}
    if request.method == "POST":
        if form.is_valid():
            try:
                create_task(request.org, form.to_input(), actor=request.user, brief=brief)
            except ValidationError as error:
                add_errors(form, error)
            except ApprovalConflict as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Task created."))
                return _done(request, brief.pk if brief else None)
        return _task_form_page(request, form, context, status=400)
    return _task_form_page(request, form, context)


@org_permission(MANAGE)
def task_edit(request: OrgRequest, task_id: str) -> HttpResponse:
    task = get_object_or_404(ProductionTask.objects.for_org(request.org).select_related("brief"), pk=task_id)
    form = TaskForm(request.POST or None, organization=request.org, initial=TaskForm.initial_for(task))
    context = {"task": task, "brief": task.brief}
    if request.method == "POST":
        if form.is_valid():
            try:
                update_task(task, form.to_input(), actor=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Task saved."))
                return _done(request, task.brief_id)
        return _task_form_page(request, form, context, status=400)
    return _task_form_page(request, form, context)


@require_POST
@org_permission(MANAGE)
def task_delete(request: OrgRequest, task_id: str) -> HttpResponse:
    task = get_object_or_404(ProductionTask.objects.for_org(request.org), pk=task_id)
    brief_id = task.brief_id
    delete_task(task, actor=request.user)
    messages.success(request, _("Task deleted."))
    return _done(request, brief_id)
