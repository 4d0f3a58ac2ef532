"""`civicsocial compliance [--agency SLUG] --format json|table`: the compliance report."""

from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from civicsocial.policy.report import city_report, report_as_data
from civicsocial.registry.models import Agency


class Command(BaseCommand):
    help = "Print the compliance report (every check cites its P-id), per agency and citywide."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="only this agency (its slug)")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--fail-on-noncompliance", action="store_true",
                            help="exit 1 when any agency fails a check")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.all()
        if options["agency"]:
            agencies = agencies.filter(slug=options["agency"])
            if not agencies.exists():
                known = ", ".join(Agency.objects.values_list("slug", flat=True)[:30])
                raise CommandError(f"No agency '{options['agency']}'. Known: {known or 'none'}")
        report = city_report(agencies)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report_as_data(report), indent=2, default=str))
        else:
            self._table(report)
        if options["fail_on_noncompliance"] and report.compliant_agencies < len(report.agencies):
            raise SystemExit(1)

    def _table(self, report: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), width=160)
        for agency in report.agencies:
            table = Table(title=f"{agency.name} ({agency.slug}): {agency.passed} passed, "
                          f"{agency.failed} failed"
                          + (f", {agency.awaiting} awaiting ODS" if agency.awaiting else ""),
                          title_justify="left")
            table.add_column("P-id")
            table.add_column("check")
            table.add_column("result")
            table.add_column("reason", overflow="fold")
            for r in agency.results:
                table.add_row(r.pid, r.title, "FAIL" if r.state == "fail" else r.state, r.reason)
            console.print(table)
        console.print(f"Citywide: {report.compliant_agencies} of {len(report.agencies)} "
                      "agencies fully compliant.")
