"""`civicsocial backup --out DIR`: a consistent snapshot of the whole state (database,
seals, media, productions) with a manifest of hashes (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicsocial.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database, seals, media and productions into a new directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="a new or empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["out"], say=lambda step: self.stderr.write(f"  {step}"))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{n:,} {what}" for what, n in manifest["counts"].items())
        self.stdout.write(f"Backed up into {options['out']}: {len(manifest['files'])} files; {counts}.")
