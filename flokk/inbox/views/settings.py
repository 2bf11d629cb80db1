"""The inbox settings pages: options, routing rules, intent rules, response times and saved replies.

Everyone who may see the inbox (`community.view`) may read them; every change is a POST to its own URL that
needs `community.manage` and ends in one `services.setup` function. A refused change re-renders the page with
the form's messages and status 400; a saved one redirects back with a message.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from flokk.channels.models import Account
from flokk.core.rendering import perform, render_page
from flokk.inbox.choices import LANGUAGE_CHOICES, AssignStrategy, Intent, Sentiment, Team
from flokk.inbox.intent import DEFAULT_INTENT_RULES
from flokk.inbox.models import BusinessHours, Holiday, IntentRuleRow, RoutingRule, SavedReply
from flokk.inbox.services import setup
from flokk.inbox.services.routing import DEFAULT_TEAM, split_keywords
from flokk.inbox.services.settings import inbox_settings
from flokk.inbox.services.sla import SlaClock
from flokk.inbox.services.team import people_with
from flokk.inbox.settings_forms import (
    BusinessHoursForm,
    HolidayForm,
    InboxOptionsForm,
    IntentRuleForm,
    PublicHolidaysForm,
    ResponseTargetsForm,
    RestoreDefaultsForm,
    RoutingRuleForm,
    SavedReplyForm,
)
from flokk.teams.permissions import OrgRequest, org_permission

LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


def _saved(form: forms.Form, action: Callable[[], object]) -> bool:
    """Run the service; its refusal becomes the form's errors (per field where the field is on the form)."""
    try:
        action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


def _context(request: OrgRequest, tab: str, **values: Any) -> dict[str, Any]:
    return {"tab": tab, "can_manage": request.perms.has("community.manage"), **values}


# --- options ---------------------------------------------------------------------------------------------


def _options_page(
    request: OrgRequest, form: InboxOptionsForm | None = None, *, new_secret: str = "", status: int = 200
) -> HttpResponse:
    row = inbox_settings(request.org)
    form = form or InboxOptionsForm(
        initial={
            "replies_need_approval": row.replies_need_approval,
            "spike_min_negative": row.spike_min_negative,
            "spike_factor": row.spike_factor,
            "pause_on_spike": row.pause_on_spike,
            "lead_webhook_url": row.lead_webhook_url,
        }
    )
    context = _context(
        request,
        "options",
        form=form,
        settings=row,
        has_secret=bool(row.lead_webhook_secret),
        new_secret=new_secret,
    )
    return render_page(request, "inbox/settings/options.html", context, status=status)


@require_GET
@org_permission("community.view")
def options(request: OrgRequest) -> HttpResponse:
    return _options_page(request)


@require_POST
@org_permission("community.manage")
def options_save(request: OrgRequest) -> HttpResponse:
    form = InboxOptionsForm(request.POST)
    if not (
        form.is_valid() and _saved(form, lambda: setup.update_inbox_options(request.perms, form.options()))
    ):
        return _options_page(request, form, status=400)
    messages.success(request, _("Inbox options saved."))
    return redirect("inbox:settings", org=request.org.slug)


@never_cache
@require_POST
@org_permission("community.manage")
def secret_generate(request: OrgRequest) -> HttpResponse:
    # Shown in this answer only (no redirect, nothing in the session): reloading does not show it again.
    secret = setup.generate_lead_webhook_secret(request.perms)
    return _options_page(request, new_secret=secret)


# --- routing rules ---------------------------------------------------------------------------------------


def _routing_form(
    request: OrgRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> RoutingRuleForm:
    accounts = [
        (str(a.pk), str(a)) for a in Account.objects.for_org(request.org).order_by("network", "handle")
    ]
    people = [(str(p.pk), p.name or p.email) for p in people_with(request.org, "community.work")]
    return RoutingRuleForm(data, initial=initial, accounts=accounts, people=people)


def _labels(values: list[str], names: Mapping[str, object]) -> str:
    return ", ".join(str(names.get(value, value)) for value in values)


def _conditions(rule: RoutingRule) -> list[tuple[str, str]]:
    """What the rule looks at, in words; a rule with none matches every new conversation."""
    conditions = []
    if rule.account_id:
        conditions.append((_("Account"), str(rule.account)))
    if rule.intents:
        conditions.append((_("Intent"), _labels(rule.intents, dict(Intent.choices))))
    if rule.sentiments:
        conditions.append((_("Sentiment"), _labels(rule.sentiments, dict(Sentiment.choices))))
    if rule.languages:
        conditions.append((_("Language"), _labels(rule.languages, LANGUAGE_NAMES)))
    if rule.keywords:
        conditions.append((_("Keywords"), ", ".join(split_keywords(rule.keywords))))
    return conditions


def _routing_page(
    request: OrgRequest, form: RoutingRuleForm | None = None, status: int = 200
) -> HttpResponse:
    rules = RoutingRule.objects.filter(organization=request.org).select_related("account", "assignee")
    context = _context(
        request,
        "routing",
        rules=[(rule, _conditions(rule)) for rule in rules],
        form=form or _routing_form(request),
        defaults=[(Intent(intent).label, Team(team).label) for intent, team in DEFAULT_TEAM.items()],
        default_team=Team.COMMUNITY.label,
        round_robin=AssignStrategy.ROUND_ROBIN.label,
    )
    return render_page(request, "inbox/settings/routing.html", context, status=status)


@require_GET
@org_permission("community.view")
def routing(request: OrgRequest) -> HttpResponse:
    return _routing_page(request)


@require_POST
@org_permission("community.manage")
def routing_add(request: OrgRequest) -> HttpResponse:
    form = _routing_form(request, request.POST)
    if not (form.is_valid() and _saved(form, lambda: setup.create_routing_rule(request.perms, form.rule()))):
        return _routing_page(request, form, status=400)
    messages.success(request, _("Routing rule added."))
    return redirect("inbox:settings_routing", org=request.org.slug)


def _rule(request: OrgRequest, rule_id: uuid.UUID) -> RoutingRule:
    return get_object_or_404(RoutingRule, pk=rule_id, organization=request.org)


@org_permission("community.manage")
def routing_edit(request: OrgRequest, rule_id: uuid.UUID) -> HttpResponse:
    rule = _rule(request, rule_id)
    initial = {
        "name": rule.name,
        "is_active": rule.is_active,
        "account": str(rule.account_id or ""),
        "intents": rule.intents,
        "sentiments": rule.sentiments,
        "languages": rule.languages,
        "keywords": rule.keywords,
        "team": rule.team,
        "assignee": str(rule.assignee_id or ""),
        "strategy": rule.strategy,
        "priority": rule.priority,
    }
    form = _routing_form(request, request.POST if request.method == "POST" else None, initial)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _saved(
            form, lambda: setup.update_routing_rule(request.perms, rule, form.rule())
        ):
            messages.success(request, _("Routing rule saved."))
            return redirect("inbox:settings_routing", org=request.org.slug)
        status = 400
    context = _context(request, "routing", form=form, rule=rule)
    return render_page(request, "inbox/settings/routing_form.html", context, status=status)


@require_POST
@org_permission("community.manage")
def routing_delete(request: OrgRequest, rule_id: uuid.UUID) -> HttpResponse:
    rule = _rule(request, rule_id)
    perform(
        request, lambda: setup.delete_routing_rule(request.perms, rule), success=_("Routing rule deleted.")
    )
    return redirect("inbox:settings_routing", org=request.org.slug)


@require_POST
@org_permission("community.manage")
def routing_move(request: OrgRequest, rule_id: uuid.UUID) -> HttpResponse:
    rule = _rule(request, rule_id)
    direction = request.POST.get("direction", "")
    if not perform(
        request, lambda: setup.move_routing_rule(request.perms, rule, direction), success=_("Moved.")
    ):
        return _routing_page(request, status=400)
    return redirect("inbox:settings_routing", org=request.org.slug)


# --- intent rules ----------------------------------------------------------------------------------------


def _keyword_list(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _intents_page(
    request: OrgRequest,
    form: IntentRuleForm | None = None,
    restore_form: RestoreDefaultsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = list(IntentRuleRow.objects.filter(organization=request.org))
    intents = dict(Intent.choices)
    context = _context(
        request,
        "intents",
        customized=bool(rows),
        rows=[
            (
                row,
                intents.get(row.intent, row.intent),
                LANGUAGE_NAMES.get(row.language, ""),
                _keyword_list(row.keywords),
            )
            for row in rows
        ],
        defaults=[
            (
                intents.get(rule.intent, rule.intent),
                LANGUAGE_NAMES.get(rule.language, ""),
                list(rule.keywords),
            )
            for rule in DEFAULT_INTENT_RULES
        ],
        form=form or IntentRuleForm(),
        restore_form=restore_form or RestoreDefaultsForm(),
    )
    return render_page(request, "inbox/settings/intents.html", context, status=status)


@require_GET
@org_permission("community.view")
def intents(request: OrgRequest) -> HttpResponse:
    return _intents_page(request)


@require_POST
@org_permission("community.manage")
def intents_customize(request: OrgRequest) -> HttpResponse:
    perform(
        request,
        lambda: setup.customize_intent_rules(request.perms),
        success=_("The built-in rules are now yours to edit."),
    )
    return redirect("inbox:settings_intents", org=request.org.slug)


@require_POST
@org_permission("community.manage")
def intents_restore(request: OrgRequest) -> HttpResponse:
    form = RestoreDefaultsForm(request.POST)
    if not form.is_valid():
        return _intents_page(request, restore_form=form, status=400)
    setup.restore_default_intent_rules(request.perms)
    messages.success(request, _("The built-in intent rules apply again."))
    return redirect("inbox:settings_intents", org=request.org.slug)


@require_POST
@org_permission("community.manage")
def intents_add(request: OrgRequest) -> HttpResponse:
    form = IntentRuleForm(request.POST)
    if not (form.is_valid() and _saved(form, lambda: setup.create_intent_rule(request.perms, form.rule()))):
        return _intents_page(request, form, status=400)
    messages.success(request, _("Intent rule added."))
    return redirect("inbox:settings_intents", org=request.org.slug)


@org_permission("community.manage")
def intents_edit(request: OrgRequest, row_id: uuid.UUID) -> HttpResponse:
    row = get_object_or_404(IntentRuleRow, pk=row_id, organization=request.org)
    initial = {"intent": row.intent, "language": row.language, "keywords": row.keywords}
    form = IntentRuleForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _saved(
            form, lambda: setup.update_intent_rule(request.perms, row, form.rule())
        ):
            messages.success(request, _("Intent rule saved."))
            return redirect("inbox:settings_intents", org=request.org.slug)
        status = 400
    context = _context(request, "intents", form=form, row=row)
    return render_page(request, "inbox/settings/intent_form.html", context, status=status)


@require_POST
@org_permission("community.manage")
def intents_delete(request: OrgRequest, row_id: uuid.UUID) -> HttpResponse:
    row = get_object_or_404(IntentRuleRow, pk=row_id, organization=request.org)
    perform(request, lambda: setup.delete_intent_rule(request.perms, row), success=_("Intent rule deleted."))
    return redirect("inbox:settings_intents", org=request.org.slug)


# --- response times, hours, holidays --------------------------------------------------------------------


def _sla_page(
    request: OrgRequest,
    *,
    targets_form: ResponseTargetsForm | None = None,
    hours_form: BusinessHoursForm | None = None,
    holiday_form: HolidayForm | None = None,
    public_form: PublicHolidaysForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clock = SlaClock.for_org(request.org)
    context = _context(
        request,
        "sla",
        targets_form=targets_form or ResponseTargetsForm(targets=clock.targets),
        hours_form=hours_form or BusinessHoursForm(hours=clock.calendar.hours),
        hours_saved=BusinessHours.objects.filter(organization=request.org).exists(),
        holiday_form=holiday_form or HolidayForm(),
        public_form=public_form or PublicHolidaysForm(initial={"year": timezone.localdate().year}),
        holidays=Holiday.objects.filter(organization=request.org),
        time_zone=request.org.time_zone,
    )
    return render_page(request, "inbox/settings/sla.html", context, status=status)


@require_GET
@org_permission("community.view")
def sla(request: OrgRequest) -> HttpResponse:
    return _sla_page(request)


def _back_to_sla(request: OrgRequest) -> HttpResponse:
    return redirect("inbox:settings_sla", org=request.org.slug)


@require_POST
@org_permission("community.manage")
def sla_targets(request: OrgRequest) -> HttpResponse:
    form = ResponseTargetsForm(request.POST, targets=SlaClock.for_org(request.org).targets)
    if not (
        form.is_valid() and _saved(form, lambda: setup.save_response_targets(request.perms, form.targets()))
    ):
        return _sla_page(request, targets_form=form, status=400)
    messages.success(request, _("Response-time targets saved."))
    return _back_to_sla(request)


@require_POST
@org_permission("community.manage")
def sla_hours(request: OrgRequest) -> HttpResponse:
    form = BusinessHoursForm(request.POST, hours=SlaClock.for_org(request.org).calendar.hours)
    if not (form.is_valid() and _saved(form, lambda: setup.save_business_hours(request.perms, form.hours()))):
        return _sla_page(request, hours_form=form, status=400)
    messages.success(request, _("Business hours saved."))
    return _back_to_sla(request)


@require_POST
@org_permission("community.manage")
def holiday_add(request: OrgRequest) -> HttpResponse:
    form = HolidayForm(request.POST)
    if not (
        form.is_valid()
        and _saved(
            form,
            lambda: setup.add_holiday(
                request.perms, date=form.cleaned_data["date"], name=form.cleaned_data["name"]
            ),
        )
    ):
        return _sla_page(request, holiday_form=form, status=400)
    messages.success(request, _("Holiday added."))
    return _back_to_sla(request)


@require_POST
@org_permission("community.manage")
def holidays_public(request: OrgRequest) -> HttpResponse:
    form = PublicHolidaysForm(request.POST)
    added: list[int] = []
    if not (
        form.is_valid()
        and _saved(
            form,
            lambda: added.append(
                setup.add_public_holidays(
                    request.perms, country=form.cleaned_data["country"], year=form.cleaned_data["year"]
                )
            ),
        )
    ):
        return _sla_page(request, public_form=form, status=400)
    count = added[0]
    messages.success(
        request,
        ngettext("%(count)d public holiday added.", "%(count)d public holidays added.", count)
        % {"count": count},
    )
    return _back_to_sla(request)


@require_POST
@org_permission("community.manage")
def holiday_delete(request: OrgRequest, day: str) -> HttpResponse:
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("no such holiday") from None
    holiday = get_object_or_404(Holiday, organization=request.org, date=date)
    perform(request, lambda: setup.delete_holiday(request.perms, holiday), success=_("Holiday deleted."))
    return _back_to_sla(request)


# --- saved replies ---------------------------------------------------------------------------------------


def _replies_page(request: OrgRequest, form: SavedReplyForm | None = None, status: int = 200) -> HttpResponse:
    context = _context(
        request,
        "replies",
        replies=[
            (reply, reply.text_for(request.org.language))
            for reply in SavedReply.objects.filter(organization=request.org)
        ],
        form=form or SavedReplyForm(),
    )
    return render_page(request, "inbox/settings/replies.html", context, status=status)


@require_GET
@org_permission("community.view")
def replies(request: OrgRequest) -> HttpResponse:
    return _replies_page(request)


@require_POST
@org_permission("community.manage")
def replies_add(request: OrgRequest) -> HttpResponse:
    form = SavedReplyForm(request.POST)
    if not (form.is_valid() and _saved(form, lambda: setup.create_saved_reply(request.perms, form.reply()))):
        return _replies_page(request, form, status=400)
    messages.success(request, _("Saved reply added."))
    return redirect("inbox:settings_replies", org=request.org.slug)


@org_permission("community.manage")
def replies_edit(request: OrgRequest, reply_id: uuid.UUID) -> HttpResponse:
    reply = get_object_or_404(SavedReply, pk=reply_id, organization=request.org)
    initial = {
        "title": reply.title,
        "text_en": reply.text_en,
        "text_sv": reply.text_sv,
        "text_da": reply.text_da,
        "text_nb": reply.text_nb,
        "is_holding_statement": reply.is_holding_statement,
    }
    form = SavedReplyForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _saved(
            form, lambda: setup.update_saved_reply(request.perms, reply, form.reply())
        ):
            messages.success(request, _("Saved reply updated."))
            return redirect("inbox:settings_replies", org=request.org.slug)
        status = 400
    context = _context(request, "replies", form=form, reply=reply)
    return render_page(request, "inbox/settings/reply_form.html", context, status=status)


@require_POST
@org_permission("community.manage")
def replies_delete(request: OrgRequest, reply_id: uuid.UUID) -> HttpResponse:
    reply = get_object_or_404(SavedReply, pk=reply_id, organization=request.org)
    perform(
        request, lambda: setup.delete_saved_reply(request.perms, reply), success=_("Saved reply deleted.")
    )
    return redirect("inbox:settings_replies", org=request.org.slug)
