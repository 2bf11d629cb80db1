"""Notifications reach each person once, in their language, after the change commits."""

from __future__ import annotations

from django.utils.translation import gettext as _

from flokk.core.models import Notification
from flokk.core.notifications import notify


def test_notifications_arrive_in_each_persons_language_and_can_be_read(
    demo, member, client_for, django_capture_on_commit_callbacks
):
    analyst, copywriter = member("analyst"), member("copywriter")
    analyst.language = "sv"
    analyst.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [analyst, copywriter, analyst],
            organization=demo,
            action="teams.test.sent",
            message=lambda: _("Sign in"),
            url="/o/demo/",
        )
    assert Notification.objects.get(recipient=analyst).message == "Logga in"
    assert Notification.objects.get(recipient=copywriter).message == "Sign in"

    client = client_for(analyst)
    page = client.get("/notifications/").content.decode()
    assert "Logga in" in page and 'id="unread-count">1<' in page
    client.post("/notifications/")
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()
    assert Notification.objects.filter(recipient=copywriter, read_at__isnull=True).count() == 1


def test_nothing_is_notified_when_the_change_rolls_back(demo, member, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify([member("analyst")], organization=demo, action="teams.test.sent", message=lambda: "x")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()


def test_notifications_need_sign_in(client, db):
    assert client.get("/notifications/").status_code == 302
