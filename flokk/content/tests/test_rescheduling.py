"""Moving posts on the calendar: the service's rules, and the endpoint behind drag and drop / "Move to"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flokk.content.choices import ApprovalRoundStatus, PostStatus
from flokk.content.models import ApprovalRound, Post, Variant
from flokk.content.services.rescheduling import RescheduleConflict, reschedule_post
from flokk.core.models import AuditEntry, Notification
from flokk.teams.models import Organization, User

STOCKHOLM = "Europe/Stockholm"
URL = "/o/demo/calendar/reschedule/"


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


@pytest.fixture
def stockholm(demo: Organization) -> Organization:
    demo.time_zone = STOCKHOLM
    demo.save(update_fields=["time_zone"])
    return demo


@pytest.fixture
def make_post(stockholm: Organization, member):
    def make(at: dt.datetime, status: str = PostStatus.SCHEDULED, author: User | None = None) -> Post:
        post = Post.objects.create(
            organization=stockholm,
            scheduled_at=at,
            status=status,
            created_by=author or member("copywriter"),
        )
        Variant.objects.create(post=post, network="mastodon", text="Spring launch")
        return post

    return make


def test_moving_to_another_day_keeps_the_local_time_across_dst(
    make_post, member, django_capture_on_commit_callbacks
):
    # Given a post at 09:30 CET on Friday 29 March 2030, written by the copywriter
    post = make_post(utc(2030, 3, 29, 8, 30))
    planner = member("content-manager")
    # When the content manager drags it to Monday 1 April (summer time by then)
    with django_capture_on_commit_callbacks(execute=True):
        moved = reschedule_post(post, new_local_date=dt.date(2030, 4, 1), actor=planner)
    # Then it is at 09:30 CEST, still scheduled, with an audit entry from/to and a note to its author
    assert moved.scheduled_at == utc(2030, 4, 1, 7, 30)
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 4, 1, 7, 30) and post.status == PostStatus.SCHEDULED
    entry = AuditEntry.objects.get(action="content.post.rescheduled")
    assert entry.data["from"] == "2030-03-29T08:30:00+00:00"
    assert entry.data["to"] == "2030-04-01T07:30:00+00:00"
    assert entry.actor == planner
    note = Notification.objects.get(recipient=member("copywriter"), action="content.post.rescheduled")
    assert "2030-04-01 09:30" in note.message


def test_the_author_moving_their_own_post_gets_no_notification(
    make_post, member, django_capture_on_commit_callbacks
):
    planner = member("content-manager")
    post = make_post(utc(2030, 5, 6, 8, 0), author=planner)
    with django_capture_on_commit_callbacks(execute=True):
        reschedule_post(post, new_at=dt.datetime(2030, 5, 7, 11, 15), actor=planner)
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 5, 7, 9, 15)  # 11:15 CEST, read in the organization's zone
    assert not Notification.objects.filter(action="content.post.rescheduled").exists()


def test_a_wall_time_the_clocks_skip_is_refused(make_post, member):
    # Given a post at 02:30 on Saturday 30 March 2030; 02:30 does not exist on Sunday 31 March in Stockholm
    post = make_post(utc(2030, 3, 30, 1, 30))
    with pytest.raises(ValidationError) as refused:
        reschedule_post(post, new_local_date=dt.date(2030, 3, 31), actor=member("content-manager"))
    assert refused.value.code == "nonexistent_time"
    assert "does not exist" in refused.value.messages[0]
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 3, 30, 1, 30)
    assert not AuditEntry.objects.filter(action="content.post.rescheduled").exists()


def test_a_time_in_the_past_is_refused(make_post, member):
    post = make_post(utc(2030, 5, 6, 8, 0))
    with pytest.raises(ValidationError) as refused:
        reschedule_post(post, new_local_date=dt.date(2020, 5, 6), actor=member("content-manager"))
    assert refused.value.code == "in_the_past"
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 5, 6, 8, 0)


@pytest.mark.parametrize("status", [PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.REJECTED])
def test_published_failed_and_rejected_posts_cannot_be_moved(make_post, member, status):
    post = make_post(utc(2030, 5, 6, 8, 0), status=status)
    with pytest.raises(RescheduleConflict):
        reschedule_post(post, new_local_date=dt.date(2030, 5, 8), actor=member("content-manager"))
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 5, 6, 8, 0)


@pytest.mark.parametrize("status", [PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.IN_REVIEW])
def test_moving_keeps_status_and_approval(make_post, member, status):
    # Given an approved (or in-review) post with its approval round
    post = make_post(utc(2030, 5, 6, 8, 0), status=status)
    round_status = (
        ApprovalRoundStatus.OPEN if status == PostStatus.IN_REVIEW else ApprovalRoundStatus.APPROVED
    )
    round_ = ApprovalRound.objects.create(post=post, status=round_status)
    # When it is moved, then only its time changes
    reschedule_post(post, new_local_date=dt.date(2030, 5, 9), actor=member("content-manager"))
    post.refresh_from_db()
    round_.refresh_from_db()
    assert post.status == status and round_.status == round_status
    assert post.scheduled_at == utc(2030, 5, 9, 8, 0)
    assert post.versions.count() == 0  # content untouched: no new version


def test_moving_needs_planning_work(make_post, member):
    post = make_post(utc(2030, 5, 6, 8, 0))
    with pytest.raises(PermissionDenied):
        reschedule_post(post, new_local_date=dt.date(2030, 5, 8), actor=member("copywriter"))
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 5, 6, 8, 0)


# --- the endpoint ------------------------------------------------------------------------------------
def test_drag_endpoint_as_planner_copywriter_and_outsider(make_post, member, outsider, client_for):
    post = make_post(utc(2030, 5, 6, 8, 0))
    data = {"post": str(post.pk), "date": "2030-05-10"}
    json = {"HTTP_ACCEPT": "application/json"}
    assert client_for(member("copywriter")).post(URL, data, **json).status_code == 403
    assert client_for(outsider).post(URL, data, **json).status_code == 404
    response = client_for(member("content-manager")).post(URL, data, **json)
    assert response.status_code == 200 and response.json()["ok"] is True
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 5, 10, 8, 0)


def test_drag_endpoint_answers_409_and_400_with_messages(make_post, member, client_for):
    client = client_for(member("content-manager"))
    json = {"HTTP_ACCEPT": "application/json"}
    published = make_post(utc(2030, 5, 6, 8, 0), status=PostStatus.PUBLISHED)
    conflict = client.post(URL, {"post": str(published.pk), "date": "2030-05-10"}, **json)
    assert conflict.status_code == 409 and "cannot be moved" in conflict.json()["message"]
    post = make_post(utc(2030, 5, 6, 8, 0))
    past = client.post(URL, {"post": str(post.pk), "at": "2021-01-01T10:00"}, **json)
    assert past.status_code == 400 and "already passed" in past.json()["message"]
    week_drop = client.post(URL, {"post": str(post.pk), "at": "2030-05-07T14:00"}, **json)
    assert week_drop.status_code == 200
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 5, 7, 12, 0)


def test_move_to_form_without_javascript_redirects_back_with_a_message(make_post, member, client_for):
    post = make_post(utc(2030, 5, 6, 8, 0))
    client = client_for(member("content-manager"))
    response = client.post(
        URL, {"post": str(post.pk), "at": "2030-06-01T10:00", "next": "/o/demo/calendar/list/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/o/demo/calendar/list/"
    assert "The post was moved." in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == utc(2030, 6, 1, 8, 0)
    # An outside `next` is not followed
    away = client.post(URL, {"post": str(post.pk), "at": "2030-06-02T10:00", "next": "https://evil.example/"})
    assert away["Location"] == "/o/demo/calendar/"
