"""`flokk token create EMAIL`: make a personal API token; the token is the last line printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from flokk.teams.models import User
from flokk.teams.services.tokens import create_api_token


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (last line)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for EMAIL.")
        create.add_argument("email")
        create.add_argument("--name", default="command line")

    def handle(self, *args: Any, action: str, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the e-mail {email}.")
        _token, clear = create_api_token(user, name=name)
        self.stderr.write(f"Token '{name}' for {user.email}. It acts with their permissions; keep it secret.")
        self.stdout.write(clear)
