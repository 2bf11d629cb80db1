"""`flokk devnet`: a local Bluesky network (PLC + PDS + AppView) in the foreground, the demo connected.

Creates the account `brand.test` on it and connects the demo organization's Bluesky account to that, so
posts published in the demo land on a real PDS. Everything stops with Ctrl-C; the network starts empty each
time (its PLC directory lives in memory), and connecting again updates the demo's account in place.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from flokk.channels.connectors.bluesky.devnet import (
    INSTALL_DIR,
    Devnet,
    DevnetError,
    ensure_installed,
    is_installed,
)
from flokk.channels.services.connect import connect_bluesky_account
from flokk.teams.models import User
from flokk.teams.services.demo import demo_email, seed_demo

HANDLE = "brand.test"


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a development aid; it needs none of the site's URLs or views
    help = "Run a local Bluesky network (PLC + PDS + AppView) and connect the demo organization to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plc-port", type=int, default=2582)
        parser.add_argument("--pds-port", type=int, default=2583)
        parser.add_argument("--no-connect", action="store_true", help="Only run the network.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The local Bluesky network is for development; it does not run in production.")
        try:
            if not is_installed():
                self.stdout.write(
                    f"Installing the Bluesky reference servers into {INSTALL_DIR} (a few minutes)..."
                )
                ensure_installed()
            network = Devnet(
                INSTALL_DIR / "state", plc_port=options["plc_port"], pds_port=options["pds_port"]
            )
            network.start()
        except DevnetError as exc:
            raise CommandError(str(exc)) from exc
        try:
            self.stdout.write(
                f"PDS: {network.service_url}   AppView: {network.appview_url}   PLC: {network.plc_url}"
                "   (127.0.0.1 only)"
            )
            password = secrets.token_urlsafe(12)
            did, handle = network.create_account(HANDLE, password)
            app_password = network.create_app_password(handle, password)
            self.stdout.write(f"Account: {handle} ({did}), password {password}, app password {app_password}")
            if not options["no_connect"]:
                demo = seed_demo()
                actor = User.objects.filter(email=demo_email("head-of-social")).first()
                account = connect_bluesky_account(
                    demo,
                    service_url=network.service_url,
                    handle=handle,
                    app_password=app_password,
                    actor=actor,
                )
                self.stdout.write(f"Connected the demo organization's Bluesky account {account.handle}.")
            self.stdout.write(self.style.SUCCESS("Running; press Ctrl-C to stop."))
            network.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            network.stop()
