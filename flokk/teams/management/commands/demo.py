"""`flokk demo`: seed the demo organization and print its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from flokk.analytics.services.demo import seed_analytics_demo
from flokk.inbox.services.demo import seed_inbox_demo
from flokk.teams.models import Organization
from flokk.teams.services.demo import DEMO_SLUG, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo organization (slug 'demo', one user per built-in role) and print the logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only seed when the database has no organization yet; always print the logins.",
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        try:
            if not (if_empty and Organization.objects.exclude(slug=DEMO_SLUG).exists()):
                seed_inbox_demo(seed_demo())
                seed_analytics_demo(seed_demo())
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if not Organization.objects.filter(slug=DEMO_SLUG).exists():
            return
        self.stdout.write(
            "Demo organization 'demo' (demo data only). Sign in at http://127.0.0.1:8000/login/ as:"
        )
        for email in demo_logins():
            self.stdout.write(f"  {email}")
        self.stdout.write(f"Password for all demo users: {settings.DEMO_PASSWORD}")
