"""`civicsocial accounts [--agency SLUG] [--format table|csv|json]`: the registry."""

from __future__ import annotations

import csv
import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from civicsocial.registry.models import Account
from civicsocial.security.csvsafe import safe_cell

COLUMNS = ["agency", "platform", "handle", "url", "type", "status", "login_identity"]


class Command(BaseCommand):
    help = "List registered accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="only this agency (its slug)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = Account.objects.select_related("agency")
        if options["agency"]:
            accounts = accounts.filter(agency__slug=options["agency"])
        rows = [[a.agency.slug, a.platform, a.handle, a.url, a.account_type, a.status,
                 a.login_identity] for a in accounts]
        if options["format"] == "json":
            for row in rows:
                self.stdout.write(json.dumps(dict(zip(COLUMNS, row, strict=True))))
        elif options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(COLUMNS)
            writer.writerows([[safe_cell(c) for c in row] for row in rows])
        else:
            table = Table(*COLUMNS)
            for row in rows:
                table.add_row(*row)
            Console(file=cast(IO[str], self.stdout), width=200).print(table)
