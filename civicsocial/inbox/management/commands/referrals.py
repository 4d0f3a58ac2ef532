"""`civicsocial referrals`: refresh the status of open 311 service requests (P23) from the
configured Open311 endpoint. The worker runs it every 15 minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicsocial.inbox.open311 import Open311Client
from civicsocial.inbox.referral import refresh_referrals


class Command(BaseCommand):
    help = "Refresh the status of open 311 service requests from the Open311 endpoint."

    def handle(self, *args: Any, **options: Any) -> None:
        client = Open311Client.from_environment()
        if client is None:
            raise CommandError("No Open311 endpoint: set CIVICSOCIAL_OPEN311_ENDPOINT.")
        changed = refresh_referrals(client)
        self.stdout.write(f"{changed} request(s) changed status.")
