"""`civicsocial capture --once [--account H]`: one capture run now, for every active
account that can be captured (or one), with a table of what it archived. Without
--once the worker (`civicsocial worker`) does this on each account's interval."""

from __future__ import annotations

import threading
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from civicsocial.platforms.capture import capturable_accounts, capture_account
from civicsocial.platforms.credentials import bluesky_service
from civicsocial.platforms.stream import consume_forever


class Command(BaseCommand):
    help = "Capture the registered accounts' posts, replies and profiles into the archive."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true",
                          help="one run now (the worker runs them on a schedule)")
        mode.add_argument("--stream", action="store_true",
                          help="archive the Bluesky firehose as it happens, until Ctrl-C")
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
            result = "ok" if report.ok else f"[red]failed: {escape(report.error[:300])}[/red]"
            if report.rejected:
                result += f" ({len(report.rejected)} unreadable)"
            table.add_row(escape(account.handle), result, str(counts.get("created", 0)),
                          str(counts.get("edited", 0)), str(counts.get("deleted", 0)),
                          str(counts.get("unchanged", 0)), lag)
        console.print(table)
        if failed:
            raise CommandError(f"{failed} of {len(accounts)} captures failed (see the table)")

    def stream(self) -> None:
        service = bluesky_service()
        self.stdout.write(f"Archiving the firehose of {service} (Ctrl-C stops)...")
        stop = threading.Event()
        try:
            consume_forever(service, stop)
        except KeyboardInterrupt:
            stop.set()
