"""`civicsocial load_demo`: the demo city (idempotent: a second run changes nothing)."""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand

from civicsocial.ops.demo_city import DEMO_LOGINS, DEMO_PASSWORD, load_demo_city
from civicsocial.ops.demo_inbox import load_demo_reviews
from civicsocial.ops.demo_publishing import load_demo_posts


class Command(BaseCommand):
    help = "Load the demo city: agencies, people, accounts, applications in every state."

    def handle(self, *args: Any, **options: Any) -> None:
        if load_demo_city():
            load_demo_reviews(random.Random(2026))  # noqa: S311 - a repeatable demo
            load_demo_posts(random.Random(2026))  # noqa: S311
            self.stdout.write("Loaded the demo city.")
        else:
            self.stdout.write("The demo city is already loaded; nothing changed.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            code = "  + code: civicsocial demo_code " + login.username if login.second_factor else ""
            self.stdout.write(f"  {login.username:<20} {login.role}{code}")
