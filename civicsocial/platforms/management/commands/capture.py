"""`civicsocial capture --once [--account H]`: one capture run now, for every active
account that can be captured (or one), with a table of what it archived. Without
--once the worker (`civicsocial worker`) does this on each account's interval."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from civicsocial.platforms.capture import capturable_accounts, capture_account


class Command(BaseCommand):
    help = "Capture the registered accounts' posts, replies and profiles into the archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", required=True,
                            help="one run now (the worker runs them on a schedule)")
        parser.add_argument("--account", default="", help="only this handle")

    def handle(self, *args: Any, **options: Any) -> None:
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
            result = "ok" if report.ok else f"[red]failed: {escape(report.error[:80])}[/red]"
            if report.rejected:
                result += f" ({len(report.rejected)} unreadable)"
            table.add_row(escape(account.handle), result, str(counts.get("created", 0)),
                          str(counts.get("edited", 0)), str(counts.get("deleted", 0)),
                          str(counts.get("unchanged", 0)), lag)
        console.print(table)
        if failed:
            raise CommandError(f"{failed} of {len(accounts)} captures failed (see the table)")
