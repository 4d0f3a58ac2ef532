"""`civicsocial capture --once [--account H]`: one capture run now, for every active
account that can be captured (or one), with a table of what it archived; `--stream`:
live capture until Ctrl-C. The worker (`civicsocial worker`) does both on its own."""

from __future__ import annotations

import threading
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from civicsocial.platforms.capture import capturable_accounts, capture_account
from civicsocial.platforms.live import start_live_capture


class Command(BaseCommand):
    help = "Capture the registered accounts' posts, replies and profiles into the archive."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true",
                          help="one run now (the worker runs them on a schedule)")
        mode.add_argument("--stream", action="store_true",
                          help="archive what the platforms stream as it happens (the Bluesky "
                               "firehose, Mastodon user streams), until Ctrl-C")
        parser.add_argument("--account", default="", help="only this handle")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["stream"]:
            self.stream()
            return
        accounts = capturable_accounts(options["account"])
        if not accounts:
            raise CommandError(f"no active account to capture{' named ' if options['account'] else ''}"
                               f"{options['account']}")
        console = Console(file=cast(IO[str], self.stdout), width=120)
        table = Table("account", "result", "new", "edited", "removed", "unchanged", "lag")
        failed = 0
        for account in accounts:
            report = capture_account(account)
            failed += not report.ok
            counts = report.counts
            lag = f"{report.lag_seconds:.1f} s" if report.lag_seconds is not None else "-"
            result = "busy: another worker has it" if report.busy else "ok" if report.ok \
                else f"[red]failed: {escape(report.error[:300])}[/red]"
            if report.rejected:
                result += f" ({len(report.rejected)} unreadable)"
            table.add_row(escape(account.handle), result, str(counts.get("created", 0)),
                          str(counts.get("edited", 0)), str(counts.get("deleted", 0)),
                          str(counts.get("unchanged", 0)), lag)
        console.print(table)
        if failed:
            raise CommandError(f"{failed} of {len(accounts)} captures failed (see the table)")

    def stream(self) -> None:
        stop = threading.Event()
        started = start_live_capture(stop)
        if not started:
            raise CommandError("nothing streams: set CIVICSOCIAL_BLUESKY_SERVICE, or a Mastodon "
                               "account's credentials")
        for line in started:
            self.stdout.write(f"Archiving {line} (Ctrl-C stops)")
        try:
            stop.wait()
        except KeyboardInterrupt:
            stop.set()
