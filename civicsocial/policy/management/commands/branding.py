"""`civicsocial branding logo IMAGE...`: whether each picture shows the configured city
logo (P8): one line per image, its path, `match`, `no-match` or `unsure`, and the score.
`civicsocial branding audit`: audit every archived profile snapshot not audited yet (the
worker's sweep, by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicsocial.policy.branding import audit_unaudited
from civicsocial.policy.logo import MATCH_AT, UNSURE_AT, logo_verdict
from civicsocial.text import for_terminal


class Command(BaseCommand):
    help = "The branding audit from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        logo = commands.add_parser("logo", help="does each image show the city's logo?")
        logo.add_argument("images", nargs="+", help="image files (PNG, JPEG, WebP, GIF)")
        commands.add_parser("audit", help="audit every profile snapshot not audited yet")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "audit":
            self.stdout.write(f"{audit_unaudited()} profile snapshot(s) audited")
            return
        unreadable = 0
        for name in options["images"]:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as error:
                self.stderr.write(f"{for_terminal(name)}: cannot read ({error.strerror})")
                unreadable += 1
                continue
            verdict = logo_verdict(data)
            self.stdout.write(f"{for_terminal(name)}\t{verdict.outcome.value}\t{verdict.score:.2f}")
        self.stderr.write(f"match at {MATCH_AT:.2f} and every part present; unsure from "
                          f"{UNSURE_AT:.2f}")
        if unreadable:
            raise CommandError(f"{unreadable} file(s) could not be read")
