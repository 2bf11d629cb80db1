"""The first screen speaks the browser's language; a signed-in person's choice wins."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "heading"),
    [
        ("sv", "Logga in"),
        ("da", "Log ind"),
        ("nb", "Logg inn"),
        ("en", "Sign in"),
        ("sv-SE,sv;q=0.9", "Logga in"),
        ("no", "Logg inn"),
        ("de", "Sign in"),
    ],
)
def test_login_page_follows_accept_language(client, accept, heading):
    response = client.get("/login/", headers={"accept-language": accept})
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_a_persons_language_beats_the_browser(demo, member, client_for):
    user = member("analyst")
    user.language = "da"
    user.save(update_fields=["language"])
    response = client_for(user).get("/o/demo/", headers={"accept-language": "sv"})
    assert response.headers["Content-Language"] == "da"
    assert '<html lang="da">' in response.content.decode()


def test_times_show_in_the_persons_zone_else_the_organizations(demo, member, client_for):
    from django.utils import timezone

    from flokk.core.models import AuditEntry

    admin = member("head-of-social")
    admin.language = "sv"  # 24-hour clock
    admin.save(update_fields=["language"])
    AuditEntry.objects.filter(organization=demo).update(
        created_at=timezone.datetime(2026, 1, 15, 12, 0, tzinfo=timezone.UTC)
    )
    demo.time_zone = "Europe/Oslo"
    demo.save(update_fields=["time_zone"])
    page = client_for(admin).get("/o/demo/audit/").content.decode()
    assert "13:00" in page  # 12:00 UTC in Oslo in January
    admin.time_zone = "America/New_York"
    admin.save(update_fields=["time_zone"])
    page = client_for(admin).get("/o/demo/audit/").content.decode()
    assert "07:00" in page and "13:00" not in page
