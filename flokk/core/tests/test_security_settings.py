"""Production settings refuse to start without secrets and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-production-secret-from-the-environment-0123456789",
    "DJANGO_ALLOWED_HOSTS": "flokk.example.org",
    "FLOKK_VAULT_KEYS": "uJ7dd7I5bx3nQnqmQ5Uhd3wR8sGjvVf2kqzY2ZJYl2c=",
}


def flokk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FLOKK_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flokk", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = flokk("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="flokk.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = flokk("check", DJANGO_ENV="production", DJANGO_SECRET_KEY=PRODUCTION_ENV["DJANGO_SECRET_KEY"])
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_start_without_vault_keys():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "FLOKK_VAULT_KEYS"}
    result = flokk("check", **env)
    assert result.returncode != 0
    assert "FLOKK_VAULT_KEYS" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = flokk("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_never_seeds_the_demo():
    result = flokk("demo", **PRODUCTION_ENV, DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "never seeded in production" in result.stderr


def test_local_cookies_are_http_only_and_production_cookies_secure():
    script = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)"
    )
    result = flokk("shell", "-c", script, **PRODUCTION_ENV)
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "False"], result.stderr
