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
