"""`civicsocial worker`: the Huey consumer that runs background duties (FOIL productions,
capture of every account on its interval) and, beside it, live capture where the
platform streams (the Bluesky firehose, Mastodon user streams). `civicsocial serve`
starts one beside the web server."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from civicsocial.platforms.live import start_live_capture


def warm_up() -> None:
    """Load what the first duties need (the triage model, trained at first use, its word
    lists, the address reader) before taking work: the first capture after a restart is
    not slowed by it, and the worker's memory is what it will stay (about 100 MiB more)."""
    from civicsocial.inbox.location import find_location
    from civicsocial.inbox.triage import Comment, triage_many

    triage_many([Comment("There is a deep pothole at 5 Main St", None, "Road work tonight", "DOT",
                         "resident")])
    find_location("a pothole at 5 Main St")


class Command(BaseCommand):
    help = "Run background work (productions, captures, live streams) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-stream", action="store_true",
                            help="no live capture from streams (polling only)")
        parser.add_argument("--no-periodic", action="store_true",
                            help="take only queued work (the triage of streamed batches, "
                                 "productions), no periodic duties: a worker added for a burst")

    def handle(self, *args: Any, **options: Any) -> None:
        warm_up()
        if not options["no_stream"]:
            for started in start_live_capture(threading.Event()):
                self.stdout.write(f"Live capture: {started}")
        # Huey's option is `periodic` (its --no-periodic stores False there): call_command
        # would map a `no_periodic=False` onto it and switch the periodic duties off.
        call_command("run_huey", workers=options["workers"], worker_type="thread",
                     periodic=not options["no_periodic"])
