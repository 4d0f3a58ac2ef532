"""`civicsocial worker`: the Huey consumer that runs background duties (FOIL productions,
capture of every account on its interval) and, beside it, the live Bluesky firehose
capture. `civicsocial serve` starts one beside the web server."""

from __future__ import annotations

import os
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from civicsocial.platforms.capture import capturable_accounts
from civicsocial.platforms.credentials import bluesky_service
from civicsocial.platforms.stream import consume_forever


class Command(BaseCommand):
    help = "Run background work (productions, captures, the firehose) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-stream", action="store_true",
                            help="no live firehose capture (polling only)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_stream"] and os.environ.get("CIVICSOCIAL_BLUESKY_SERVICE") \
                and capturable_accounts(platform="bluesky"):
            # A daemon thread: it ends with the worker; its cursor is saved as it goes.
            threading.Thread(target=consume_forever, args=(bluesky_service(), threading.Event()),
                             daemon=True, name="firehose").start()
        call_command("run_huey", workers=options["workers"], worker_type="thread")
