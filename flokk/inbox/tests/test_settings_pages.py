"""The inbox settings pages: who may read and change them, what a change saves, and what is refused."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flokk.channels.models import Account
from flokk.core.models import AuditEntry
from flokk.inbox.intent import DEFAULT_INTENT_RULES
from flokk.inbox.models import (
    BusinessHours,
    Holiday,
    InboxSettings,
    IntentRuleRow,
    RoutingRule,
    SavedReply,
    SlaPolicy,
)
from flokk.inbox.services import setup
from flokk.inbox.services.analysis import intent_rules_for
from flokk.inbox.services.routing import Router
from flokk.inbox.services.settings import inbox_settings
from flokk.inbox.services.sla import DEFAULT_HOURS, SlaClock
from flokk.teams.models import Organization
from flokk.teams.permissions import resolve_access

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
PAGES = ("", "routing/", "intents/", "sla/", "replies/")


def url(demo: Organization, rest: str = "") -> str:
    return f"/o/{demo.slug}/inbox/settings/{rest}"


def audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=f"inbox.settings.{action}").exists()


@pytest.fixture
def manager(demo, member):
    return member("community-manager")


@pytest.fixture
def as_manager(manager, client_for):
    return client_for(manager)


@pytest.fixture
def access(demo, manager):
    return resolve_access(manager, demo)


@pytest.fixture
def account(demo) -> Account:
    return Account.objects.create(organization=demo, network="mastodon", handle="brand")


def options_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "replies_need_approval": "on",
        "spike_min_negative": "12",
        "spike_factor": "2.5",
        "pause_on_spike": "on",
        "lead_webhook_url": "https://crm.example.com/hooks/flokk",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def rule_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Returns to care",
        "is_active": "on",
        "account": "",
        "intents": ["complaint", "question"],
        "sentiments": ["negative"],
        "languages": ["sv"],
        "keywords": "retur\nreklamation",
        "team": "care",
        "assignee": "",
        "strategy": "least_loaded",
        "priority": "high",
    }
    data.update(changes)
    return data


def reply_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Delivery delays",
        "text_sv": "Vi beklagar förseningen.",
        "text_en": "",
    }
    data.update(changes)
    return data


# --- who may see and change ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_for_a_manager_with_its_edit_controls(demo, as_manager, page):
    response = as_manager.get(url(demo, page))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Inbox settings" in body
    assert f'action="{url(demo)}' in body  # something to change on every page


@pytest.mark.parametrize("page", PAGES)
def test_outsiders_get_404_and_people_outside_community_get_403(demo, member, outsider, client_for, page):
    assert client_for(outsider).get(url(demo, page)).status_code == 404
    assert client_for(member("copywriter")).get(url(demo, page)).status_code == 403


def test_a_member_who_may_only_work_reads_everything_and_changes_nothing(
    demo, member, client_for, access, account, outsider
):
    rule = setup.create_routing_rule(access, setup.RoutingRuleInput(name="Sales", team="sales"))
    setup.customize_intent_rules(access)
    row = IntentRuleRow.objects.filter(organization=demo).first()
    reply = setup.create_saved_reply(access, setup.SavedReplyInput(title="Thanks", text_en="Thanks!"))
    setup.add_holiday(access, date=dt.date(2026, 12, 24), name="Julafton")
    settings_audit = AuditEntry.objects.filter(action__startswith="inbox.settings.")
    audit_count = settings_audit.count()
    support = client_for(member("customer-support"))

    for page in PAGES:
        body = support.get(url(demo, page)).content.decode()
        assert f'action="{url(demo)}' not in body, page  # no form that changes anything
        assert "/delete/" not in body and f"{url(demo)}routing/{rule.pk}/" not in body, page
    assert "Thanks" in support.get(url(demo, "replies/")).content.decode()

    posts = {
        "options/": options_data(),
        "secret/": {},
        "routing/add/": rule_data(),
        f"routing/{rule.pk}/": rule_data(),
        f"routing/{rule.pk}/move/": {"direction": "down"},
        f"routing/{rule.pk}/delete/": {},
        "intents/customize/": {},
        "intents/defaults/": {"confirm": "on"},
        "intents/add/": {"intent": "spam", "keywords": "x"},
        f"intents/{row.pk}/": {"intent": "spam", "keywords": "x"},
        f"intents/{row.pk}/delete/": {},
        "sla/targets/": {},
        "sla/hours/": {},
        "sla/holidays/": {"date": "2026-12-31", "name": "Nyårsafton"},
        "sla/holidays/public/": {"country": "SE", "year": "2026"},
        "sla/holidays/2026-12-24/delete/": {},
        "replies/add/": reply_data(),
        f"replies/{reply.pk}/": reply_data(),
        f"replies/{reply.pk}/delete/": {},
    }
    stranger = client_for(outsider)
    for path, data in posts.items():
        assert support.post(url(demo, path), data).status_code == 403, path
        assert stranger.post(url(demo, path), data).status_code == 404, path
    assert support.get(url(demo, f"routing/{rule.pk}/")).status_code == 403  # the edit pages too
    assert settings_audit.count() == audit_count
    assert RoutingRule.objects.get().name == "Sales"
    assert SavedReply.objects.get().title == "Thanks"
    assert Holiday.objects.count() == 1


def test_services_refuse_a_member_without_manage(demo, member):
    support = resolve_access(member("customer-support"), demo)
    with pytest.raises(PermissionDenied):
        setup.create_saved_reply(support, setup.SavedReplyInput(title="x", text_en="y"))
    assert not SavedReply.objects.exists()


# --- options ---------------------------------------------------------------------------------------------


def test_options_are_saved_and_audited(demo, as_manager):
    response = as_manager.post(url(demo, "options/"), options_data())
    assert response.status_code == 302
    row = InboxSettings.objects.get(organization=demo)
    assert (row.replies_need_approval, row.spike_min_negative, row.spike_factor, row.pause_on_spike) == (
        True,
        12,
        2.5,
        True,
    )
    assert row.lead_webhook_url == "https://crm.example.com/hooks/flokk"
    entry = AuditEntry.objects.get(action="inbox.settings.options.updated")
    assert entry.data["spike_factor"] == 2.5 and entry.data["lead_webhook_url"] is True  # not the address


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"spike_factor": "1"}, "above 1"),
        ({"spike_factor": "0.5"}, "above 1"),
        ({"spike_factor": "nan"}, "number"),
        ({"spike_min_negative": "0"}, "greater than or equal to 1"),
        ({"lead_webhook_url": "http://crm.example.com/hook"}, "https://"),
        ({"lead_webhook_url": "javascript:alert(1)"}, "https://"),
        ({"lead_webhook_url": "https://user:pw@crm.example.com/"}, "https://"),
        ({"lead_webhook_url": "http://localhost:8080/hook"}, "https://"),  # DEBUG is off in tests
        ({"lead_webhook_url": "https://crm.example.com/\x00"}, "Null characters"),
        ({"lead_webhook_url": "https://example.com/" + "a" * 300}, "at most 200"),
    ],
)
def test_invalid_options_answer_400_and_change_nothing(demo, as_manager, changes, message):
    response = as_manager.post(url(demo, "options/"), options_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    row = inbox_settings(demo)
    assert (row.spike_factor, row.spike_min_negative, row.lead_webhook_url) == (3.0, 10, "")
    assert not audited("options.updated")


def test_plain_http_to_this_machine_is_accepted_while_developing(demo, as_manager, settings):
    settings.DEBUG = True
    as_manager.post(url(demo, "options/"), options_data(lead_webhook_url="http://127.0.0.1:9000/leads"))
    assert inbox_settings(demo).lead_webhook_url == "http://127.0.0.1:9000/leads"


def test_the_webhook_secret_is_shown_once_after_generating(demo, as_manager):
    page = as_manager.get(url(demo)).content.decode()
    assert "No secret yet" in page
    response = as_manager.post(url(demo, "secret/"))
    secret = inbox_settings(demo).lead_webhook_secret
    assert response.status_code == 200 and len(secret) == 64
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = as_manager.get(url(demo)).content.decode()
    assert secret not in again and "A secret is set" in again
    assert audited("webhook_secret.generated")
    assert secret not in str(AuditEntry.objects.get(action="inbox.settings.webhook_secret.generated").data)


# --- routing rules ---------------------------------------------------------------------------------------


def test_a_routing_rule_is_added_listed_and_used_by_the_router(demo, as_manager, account):
    response = as_manager.post(url(demo, "routing/add/"), rule_data(account=str(account.pk)))
    assert response.status_code == 302
    rule = RoutingRule.objects.get(organization=demo)
    assert rule.intents == ["complaint", "question"] and rule.account == account
    assert rule.keywords == "retur\nreklamation" and rule.priority == "high"
    assert audited("routing_rule.created")
    body = as_manager.get(url(demo, "routing/")).content.decode()
    assert "Returns to care" in body and "Complaint, Question" in body
    assert "Sales interest → Sales" in body and "Anything else → Community" in body  # when nothing matches

    router = Router(demo, inbox_settings(demo))
    matched = router.route(
        account_id=account.pk,
        intent="complaint",
        sentiment="negative",
        language="sv",
        text="Jag vill göra en retur",
    )
    unmatched = router.route(
        account_id=account.pk, intent="complaint", sentiment="negative", language="sv", text="Inget här"
    )
    assert (matched.team, matched.priority) == ("care", "high")
    assert unmatched.team == "care" and unmatched.priority == "high"  # the defaults, by intent
    assert (
        router.route(account_id=account.pk, intent="lead", sentiment="", language="", text="").team == "sales"
    )


def test_a_rule_can_send_to_one_person_who_works_in_the_inbox(demo, as_manager, member):
    support = member("customer-support")
    as_manager.post(url(demo, "routing/add/"), rule_data(assignee=str(support.pk)))
    assert RoutingRule.objects.get().assignee == support
    copywriter = member("copywriter")  # cannot work in community & care
    response = as_manager.post(
        url(demo, "routing/add/"), rule_data(name="Other", assignee=str(copywriter.pk))
    )
    assert response.status_code == 400
    assert RoutingRule.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"account": str(uuid.uuid4())},
        {"account": "not-an-id"},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "Bad\x00name"},
        {"keywords": "a" * 2001},
        {"keywords": "x" * 101},
        {"intents": ["wish"]},
        {"team": "nobody"},
        {"priority": "whenever"},
    ],
)
def test_invalid_routing_rules_answer_400_and_save_nothing(demo, as_manager, changes):
    response = as_manager.post(url(demo, "routing/add/"), rule_data(**changes))
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_an_account_of_another_organization_is_refused(demo, as_manager, outsider):
    other = Account.objects.create(
        organization=Organization.objects.get(slug="other"), network="mastodon", handle="x"
    )
    assert as_manager.post(url(demo, "routing/add/"), rule_data(account=str(other.pk))).status_code == 400
    assert not RoutingRule.objects.exists()


def test_rules_are_edited_moved_and_deleted(demo, as_manager, access):
    first, second, third = (
        setup.create_routing_rule(access, setup.RoutingRuleInput(name=name, team="support"))
        for name in ("First", "Second", "Third")
    )
    assert as_manager.get(url(demo, f"routing/{first.pk}/")).status_code == 200
    as_manager.post(url(demo, f"routing/{first.pk}/"), rule_data(name="First, edited", team="sales"))
    first.refresh_from_db()
    assert (first.name, first.team) == ("First, edited", "sales")
    assert audited("routing_rule.updated")

    as_manager.post(url(demo, f"routing/{third.pk}/move/"), {"direction": "up"})
    as_manager.post(url(demo, f"routing/{first.pk}/move/"), {"direction": "up"})  # already first: no change
    names = list(RoutingRule.objects.filter(organization=demo).values_list("name", flat=True))
    assert names == ["First, edited", "Third", "Second"]
    assert (
        as_manager.post(url(demo, f"routing/{first.pk}/move/"), {"direction": "sideways"}).status_code == 400
    )

    as_manager.post(url(demo, f"routing/{second.pk}/delete/"))
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["First, edited", "Third"]
    assert audited("routing_rule.deleted") and audited("routing_rule.moved")


def test_the_routing_list_costs_the_same_queries_for_many_rules(demo, as_manager, access, account, member):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_manager.get(url(demo, "routing/")).status_code == 200
        return len(captured)

    person = member("customer-support").pk
    data = setup.RoutingRuleInput(name="r", team="care", account_id=account.pk, assignee_id=person)
    setup.create_routing_rule(access, data)
    few = queries()
    for _ in range(5):
        setup.create_routing_rule(access, data)
    assert queries() == few


def test_rules_of_another_organization_are_not_found(demo, as_manager, outsider):
    other = Organization.objects.get(slug="other")
    foreign = RoutingRule.objects.create(organization=other, name="Theirs", team="sales")
    assert as_manager.post(url(demo, f"routing/{foreign.pk}/delete/")).status_code == 404
    assert RoutingRule.objects.filter(pk=foreign.pk).exists()


# --- intent rules ----------------------------------------------------------------------------------------


def test_intent_rules_show_the_defaults_until_customized(demo, as_manager):
    body = as_manager.get(url(demo, "intents/")).content.decode()
    assert "The built-in rules are in use." in body and "pricing" in body
    assert f"{url(demo)}intents/add/" not in body  # nothing to edit yet

    as_manager.post(url(demo, "intents/customize/"))
    assert IntentRuleRow.objects.filter(organization=demo).count() == len(DEFAULT_INTENT_RULES)
    assert set(intent_rules_for(demo)) == set(DEFAULT_INTENT_RULES)  # the copy means the same
    as_manager.post(url(demo, "intents/customize/"))  # a second click copies nothing more
    assert IntentRuleRow.objects.filter(organization=demo).count() == len(DEFAULT_INTENT_RULES)
    assert audited("intent_rules.customized")
    assert "own rules are in use." in as_manager.get(url(demo, "intents/")).content.decode()


def test_intent_rows_are_added_edited_and_deleted(demo, as_manager, access):
    assert (
        as_manager.post(url(demo, "intents/add/"), {"intent": "lead", "keywords": "offert"}).status_code
        == 400
    )
    assert not IntentRuleRow.objects.exists()  # one row alone would replace every default
    setup.customize_intent_rules(access)

    response = as_manager.post(
        url(demo, "intents/add/"),
        {"intent": "lead", "language": "sv", "keywords": " offert \n\nprislista\noffert"},
    )
    assert response.status_code == 302
    row = IntentRuleRow.objects.get(keywords="offert\nprislista")
    assert row.language == "sv"
    assert any(rule.keywords == ("offert", "prislista") for rule in intent_rules_for(demo))

    as_manager.post(
        url(demo, f"intents/{row.pk}/"), {"intent": "spam", "language": "", "keywords": "gratis*"}
    )
    row.refresh_from_db()
    assert (row.intent, row.language, row.keywords) == ("spam", "", "gratis*")
    for bad in (
        {"intent": "spam", "keywords": ""},
        {"intent": "wish", "keywords": "x"},
        {"intent": "spam", "keywords": "a\x00"},
    ):
        assert as_manager.post(url(demo, f"intents/{row.pk}/"), bad).status_code == 400
    row.refresh_from_db()
    assert row.keywords == "gratis*"

    as_manager.post(url(demo, f"intents/{row.pk}/delete/"))
    assert not IntentRuleRow.objects.filter(pk=row.pk).exists()
    assert (
        audited("intent_rule.created") and audited("intent_rule.updated") and audited("intent_rule.deleted")
    )


def test_back_to_defaults_asks_first_then_deletes_the_rows(demo, as_manager, access):
    setup.customize_intent_rules(access)
    assert as_manager.post(url(demo, "intents/defaults/"), {}).status_code == 400
    assert IntentRuleRow.objects.filter(organization=demo).exists()
    as_manager.post(url(demo, "intents/defaults/"), {"confirm": "on"})
    assert not IntentRuleRow.objects.filter(organization=demo).exists()
    assert intent_rules_for(demo) == DEFAULT_INTENT_RULES
    assert audited("intent_rules.restored")


# --- response times, hours, holidays ---------------------------------------------------------------------


def targets_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {}
    for priority, (first, resolution) in {
        "urgent": (15, 120),
        "high": (60, 480),
        "normal": (240, 1440),
        "low": (480, 2880),
    }.items():
        data[f"{priority}_first_response_minutes"] = first
        data[f"{priority}_resolution_minutes"] = resolution
        data[f"{priority}_warn_at_percent"] = 80
        if priority != "urgent":
            data[f"{priority}_business_hours_only"] = "on"
    data.update(changes)
    return data


def hours_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {}
    for day in range(5):
        data.update({f"day{day}_open": "on", f"day{day}_opens": "09:00", f"day{day}_closes": "16:00"})
    data.update(changes)
    return data


def test_the_sla_page_shows_the_defaults_until_saved(demo, as_manager):
    body = as_manager.get(url(demo, "sla/")).content.decode()
    assert 'name="normal_first_response_minutes" value="240"' in body
    assert "These are the default hours until you save your own." in body
    assert 'name="day0_opens" value="08:00"' in body and 'name="day5_open" id' in body


def test_response_targets_are_saved_and_used_by_the_clock(demo, as_manager):
    assert as_manager.post(url(demo, "sla/targets/"), targets_data()).status_code == 302
    assert SlaPolicy.objects.filter(organization=demo).count() == 4
    targets = SlaClock.for_org(demo).targets
    assert (targets["urgent"].first_response_minutes, targets["urgent"].business_hours_only) == (15, False)
    assert targets["low"].warn_at_percent == 80 and targets["low"].business_hours_only
    assert audited("sla.updated")


@pytest.mark.parametrize(
    "changes",
    [
        {"high_resolution_minutes": 30},  # resolved before the first answer is due
        {"normal_first_response_minutes": 0},
        {"low_warn_at_percent": 101},
        {"urgent_first_response_minutes": "soon"},
    ],
)
def test_invalid_targets_answer_400_and_save_nothing(demo, as_manager, changes):
    assert as_manager.post(url(demo, "sla/targets/"), targets_data(**changes)).status_code == 400
    assert not SlaPolicy.objects.exists()


def test_business_hours_are_saved_closes_must_follow_opens(demo, as_manager):
    response = as_manager.post(url(demo, "sla/hours/"), hours_data(day2_opens="17:00", day2_closes="09:00"))
    assert response.status_code == 400
    assert "Wednesday: the closing time must be after the opening time." in response.content.decode()
    assert as_manager.post(url(demo, "sla/hours/"), {}).status_code == 400  # closed all week
    assert as_manager.post(url(demo, "sla/hours/"), hours_data(day6_open="on")).status_code == 400  # no times
    assert not BusinessHours.objects.exists()
    assert SlaClock.for_org(demo).calendar.hours == DEFAULT_HOURS

    assert (
        as_manager.post(
            url(demo, "sla/hours/"), hours_data(day5_open="on", day5_opens="10:00", day5_closes="14:00")
        ).status_code
        == 302
    )
    hours = SlaClock.for_org(demo).calendar.hours
    assert hours[0] == (dt.time(9), dt.time(16)) and hours[5] == (dt.time(10), dt.time(14)) and 6 not in hours
    assert audited("hours.updated")


def test_holidays_are_added_and_deleted(demo, as_manager):
    assert (
        as_manager.post(url(demo, "sla/holidays/"), {"date": "2026-12-24", "name": "Julafton"}).status_code
        == 302
    )
    again = as_manager.post(url(demo, "sla/holidays/"), {"date": "2026-12-24", "name": "Again"})
    assert again.status_code == 400 and "already a holiday" in again.content.decode()
    for bad in (
        {"date": "2026-13-01", "name": "x"},
        {"date": "2026-12-25", "name": ""},
        {"date": "2026-12-25", "name": "x" * 101},
    ):
        assert as_manager.post(url(demo, "sla/holidays/"), bad).status_code == 400
    assert list(Holiday.objects.values_list("name", flat=True)) == ["Julafton"]
    assert dt.date(2026, 12, 24) in SlaClock.for_org(demo).calendar.holidays

    assert as_manager.post(url(demo, "sla/holidays/not-a-date/delete/")).status_code == 404
    as_manager.post(url(demo, "sla/holidays/2026-12-24/delete/"))
    assert not Holiday.objects.exists()
    assert audited("holiday.created") and audited("holiday.deleted")


def test_public_holidays_of_a_country_are_added_once(demo, as_manager, access):
    setup.add_holiday(access, date=dt.date(2026, 6, 6), name="Our own name")
    assert (
        as_manager.post(url(demo, "sla/holidays/public/"), {"country": "SE", "year": "2026"}).status_code
        == 302
    )
    days = dict(Holiday.objects.filter(organization=demo).values_list("date", "name"))
    assert days[dt.date(2026, 12, 25)] == "Juldagen" and days[dt.date(2026, 4, 3)] == "Långfredagen"
    assert days[dt.date(2026, 6, 6)] == "Our own name"  # kept
    count = len(days)
    as_manager.post(url(demo, "sla/holidays/public/"), {"country": "SE", "year": "2026"})
    assert Holiday.objects.count() == count
    for bad in ({"country": "DE", "year": "2026"}, {"country": "NO", "year": "1066"}):
        assert as_manager.post(url(demo, "sla/holidays/public/"), bad).status_code == 400
    as_manager.post(url(demo, "sla/holidays/public/"), {"country": "NO", "year": "2027"})
    assert Holiday.objects.filter(date=dt.date(2027, 5, 17)).exists()  # Grunnlovsdag
    assert audited("holidays.imported")


# --- saved replies ---------------------------------------------------------------------------------------


def test_saved_replies_are_added_edited_and_deleted(demo, as_manager):
    response = as_manager.post(url(demo, "replies/add/"), reply_data(is_holding_statement="on"))
    assert response.status_code == 302
    reply = SavedReply.objects.get(organization=demo)
    assert reply.text_sv == "Vi beklagar förseningen." and reply.is_holding_statement
    assert audited("saved_reply.created")

    as_manager.post(url(demo, f"replies/{reply.pk}/"), reply_data(title="Delays", text_en="We are sorry."))
    reply.refresh_from_db()
    assert (reply.title, reply.text_en, reply.is_holding_statement) == ("Delays", "We are sorry.", False)
    as_manager.post(url(demo, f"replies/{reply.pk}/delete/"))
    assert not SavedReply.objects.exists()
    assert audited("saved_reply.updated") and audited("saved_reply.deleted")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text_sv": "", "text_en": "  "}, "at least one language"),
        ({"title": ""}, "required"),
        ({"title": "x" * 101}, "at most 100"),
        ({"text_en": "x" * 5001}, "at most 5000"),
        ({"text_da": "Hej\x00"}, "Null characters"),
    ],
)
def test_invalid_saved_replies_answer_400_and_save_nothing(demo, as_manager, changes, message):
    response = as_manager.post(url(demo, "replies/add/"), reply_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SavedReply.objects.exists()


def test_a_saved_reply_is_rendered_escaped(demo, as_manager):
    as_manager.post(url(demo, "replies/add/"), reply_data(title=XSS, text_sv=XSS))
    reply = SavedReply.objects.get()
    for page in ("replies/", f"replies/{reply.pk}/"):
        body = as_manager.get(url(demo, page)).content.decode()
        assert XSS not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_edit_that_fails_changes_nothing(demo, as_manager, access):
    reply = setup.create_saved_reply(access, setup.SavedReplyInput(title="Keep", text_en="Kept"))
    assert (
        as_manager.post(url(demo, f"replies/{reply.pk}/"), {"title": "New", "text_en": ""}).status_code == 400
    )
    reply.refresh_from_db()
    assert (reply.title, reply.text_en) == ("Keep", "Kept")
