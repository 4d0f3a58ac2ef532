"""`civicsocial restore DIR`: check a backup against its manifest, restore it into an
empty database, and prove the result: the same counts and chain heads, and every chain
verified against the seals exported with it (issue 17). Exit 1 if anything differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from civicsocial.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and prove nothing changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup's directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(options["source"], say=lambda step: self.stderr.write(f"  {step}"))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        table = Table("", "in the backup", "restored", "")
        for what, expected, found in report.rows:
            table.add_row(what, f"{expected:,}" if isinstance(expected, int) else str(expected),
                          f"{found:,}" if isinstance(found, int) else str(found),
                          "same" if expected == found else "[red]DIFFERENT[/red]")
        Console(file=cast(Any, self.stdout), width=120).print(table)
        verified = report.verified
        assert verified is not None
        if verified.ok:
            self.stdout.write(f"archive verify against the backup's seals: OK, {verified.checked:,} "
                              "versions.")
        for problem in verified.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise SystemExit(1)
