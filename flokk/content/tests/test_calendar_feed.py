"""iCalendar feeds: creating and revoking them, who they answer for, and RFC 5545 well-formedness."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from flokk.channels.tests.matrix import check_matrix
from flokk.content.choices import PostStatus
from flokk.content.models import CalendarFeed, Post, Variant
from flokk.content.services.calendar_feeds import create_calendar_feed, revoke_calendar_feed
from flokk.core.models import AuditEntry
from flokk.teams.models import Membership, Organization, User

FEEDS = "/o/demo/calendar/feeds/"
NASTY = "Sale, today; only\nhere <script>alert(1)</script>"


def post_in(org: Organization, days: float, text: str, network: str = "mastodon", **fields) -> Post:
    post = Post.objects.create(
        organization=org, scheduled_at=timezone.now() + dt.timedelta(days=days), **fields
    )
    Variant.objects.create(post=post, network=network, text=text)
    return post


def feed_of(org: Organization, owner: User, **filters: str) -> tuple[CalendarFeed, str]:
    return create_calendar_feed(org, owner=owner, name="Mine", filters=filters, actor=owner)


def url(token: str) -> str:
    return f"/calendar/feed/{token}.ics"


def rfc5545_problems(raw: bytes) -> list[str]:
    """A small RFC 5545 check: CRLF lines of at most 75 octets, the required properties, no DTEND+DURATION."""
    problems = []
    if not raw.endswith(b"\r\n") or re.search(rb"(?<!\r)\n", raw):
        problems.append("lines must end with CRLF")
    physical = raw.split(b"\r\n")[:-1]
    problems += [f"line over 75 octets: {line[:30]!r}" for line in physical if len(line) > 75]
    # Unfold (a CRLF followed by a space or tab continues the line), then look at the content lines.
    lines = re.sub(rb"\r\n[ \t]", b"", raw).decode("utf-8").split("\r\n")[:-1]
    if lines[0] != "BEGIN:VCALENDAR" or lines[-1] != "END:VCALENDAR":
        problems.append("not one VCALENDAR")
    names_in: list[set[str]] = []
    calendar_names: set[str] = set()
    for line in lines:
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if line == "BEGIN:VEVENT":
            names_in.append(set())
        elif line.startswith(("BEGIN:", "END:")):
            continue
        elif names_in and line != "END:VEVENT":
            names_in[-1].add(name)
        else:
            calendar_names.add(name)
    for required in ("PRODID", "VERSION"):
        if required not in calendar_names:
            problems.append(f"VCALENDAR without {required}")
    for index, names in enumerate(names_in):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if required not in names:
                problems.append(f"VEVENT {index} without {required}")
        if {"DTEND", "DURATION"} <= names:
            problems.append(f"VEVENT {index} has both DTEND and DURATION")
    return problems


def test_the_feed_is_valid_icalendar_with_escaped_text(demo, member, client):
    # Given posts with commas, semicolons, a newline and markup, and a long objective
    writer = member("copywriter")
    nasty = post_in(demo, 3, NASTY, objective="Grow sign-ups " * 12, status=PostStatus.IN_REVIEW)
    approved = post_in(demo, 5, "Approved one", network="linkedin", status=PostStatus.SCHEDULED)
    post_in(demo, -90, "Too old")
    post_in(demo, 400, "Too far ahead")
    feed, token = feed_of(demo, writer)
    # When the public URL is fetched without signing in
    response = client.get(url(token))
    # Then it is text/calendar, well-formed, and holds the posts in the window with their details
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert rfc5545_problems(raw) == []
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert {f"{nasty.pk}@flokk", f"{approved.pk}@flokk"} <= set(events)
    summaries = {str(e["SUMMARY"]) for e in events.values()}
    assert "Too old" not in summaries and "Too far ahead" not in summaries
    event = events[f"{nasty.pk}@flokk"]
    assert str(event["SUMMARY"]) == "Sale, today; only here <script>alert(1)</script>"  # whitespace folded
    assert event.decoded("DTSTART") == nasty.scheduled_at.replace(microsecond=0)
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DURATION") == dt.timedelta(minutes=15)
    assert (
        str(event["STATUS"]) == "TENTATIVE" and str(events[f"{approved.pk}@flokk"]["STATUS"]) == "CONFIRMED"
    )
    description = str(event["DESCRIPTION"])
    assert "Mastodon" in description and "In review" in description and "Grow sign-ups" in description
    assert f"/o/demo/posts/{nasty.pk}/" in description
    assert "LAST-MODIFIED" in event
    # The text is escaped the RFC 5545 way in the raw feed
    unfolded = re.sub(rb"\r\n[ \t]", b"", raw).decode()
    assert r"SUMMARY:Sale\, today\; only here <script>" in unfolded
    assert "\\n" in unfolded.split("DESCRIPTION:")[1].split("\r\n")[0]
    assert "PRODID:-//Flokk//Content calendar//EN" in unfolded and "VERSION:2.0" in unfolded
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_a_newline_in_the_summary_is_escaped_not_a_line_break(demo, member):
    from flokk.content.services.calendar_feeds import feed_calendar

    post_in(demo, 1, "x", objective="line one\nline two, with; marks")
    feed, _token = feed_of(demo, member("copywriter"))
    raw = feed_calendar(feed, base_url="https://flokk.example")
    assert rfc5545_problems(raw) == []
    unfolded = re.sub(rb"\r\n[ \t]", b"", raw).decode()
    assert r"Objective: line one\nline two\, with\; marks" in unfolded


def test_the_feed_uses_its_filters(demo, member, client):
    post_in(demo, 2, "On LinkedIn", network="linkedin")
    post_in(demo, 2, "On Mastodon")
    _feed, token = feed_of(demo, member("copywriter"), network="linkedin")
    events = icalendar.Calendar.from_ical(client.get(url(token)).content).walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert "On LinkedIn" in summaries and "On Mastodon" not in summaries
    assert all("LinkedIn" in str(e["DESCRIPTION"]) for e in events)


def test_revoked_unknown_and_former_member_tokens_answer_404(demo, member, client):
    writer = member("copywriter")
    feed, token = feed_of(demo, writer)
    assert client.get(url(token)).status_code == 200
    assert client.get(url("flkcal_not-a-real-token")).status_code == 404
    assert client.get(url("nonsense")).status_code == 404
    # An owner who is no longer a member stops the feed
    Membership.objects.filter(organization=demo, user=writer).update(is_active=False)
    assert client.get(url(token)).status_code == 404
    Membership.objects.filter(organization=demo, user=writer).update(is_active=True)
    revoke_calendar_feed(feed, actor=writer)
    assert client.get(url(token)).status_code == 404
    assert list(AuditEntry.objects.filter(target_id=str(feed.pk)).values_list("action", flat=True)) == [
        "content.calendar_feed.revoked",
        "content.calendar_feed.created",
    ]


def test_an_outsiders_token_shows_nothing_of_the_demo(demo, outsider, client):
    post_in(demo, 2, "Demo secret")
    other = Organization.objects.get(slug="other")
    _feed, token = feed_of(other, outsider)
    response = client.get(url(token))
    assert response.status_code == 200 and b"Demo secret" not in response.content
    with pytest.raises(PermissionDenied):
        feed_of(demo, outsider)  # nobody gets a feed of an organization they cannot see


def test_who_may_create_a_feed(demo, outsider, client_for, api_for):
    wrong = check_matrix(
        "production.view", lambda c: c.get(FEEDS), api=False, client_for=client_for, api_for=api_for
    )
    assert wrong == []


def test_creating_a_feed_shows_its_url_once(demo, member, client_for):
    client = client_for(member("copywriter"))
    created = client.post(FEEDS, {"name": "My <b>feed</b>", "network": "linkedin", "status": "bogus"})
    html = created.content.decode()
    assert created.status_code == 200
    token = re.search(r"/calendar/feed/(flkcal_[\w-]+)\.ics", html).group(1)
    feed = CalendarFeed.objects.get()
    assert feed.filters == {"network": "linkedin"} and feed.owner == member("copywriter")
    assert "My &lt;b&gt;feed&lt;/b&gt;" in html
    assert token not in client.get(FEEDS).content.decode()  # shown once
    assert feed.token_prefix in client.get(FEEDS).content.decode()


def test_revoking_own_any_as_admin_not_others(demo, member, outsider, client_for):
    writer, designer, admin = member("copywriter"), member("graphic-designer"), member("head-of-social")
    feed, _ = feed_of(demo, writer)
    revoke = f"{FEEDS}{feed.pk}/revoke/"
    assert client_for(designer).post(revoke).status_code == 403
    assert client_for(outsider).post(revoke).status_code == 404
    assert client_for(member("community-manager")).post(revoke).status_code == 403
    assert str(feed.pk) not in client_for(designer).get(FEEDS).content.decode()  # not listed for others
    assert client_for(writer).post(revoke).status_code == 302
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    other, _ = feed_of(demo, designer)
    assert str(other.pk) in client_for(admin).get(FEEDS).content.decode()
    assert client_for(admin).post(f"{FEEDS}{other.pk}/revoke/").status_code == 302
    other.refresh_from_db()
    assert other.revoked_at is not None
