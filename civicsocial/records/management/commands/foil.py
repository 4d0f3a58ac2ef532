"""`civicsocial foil open|list|export|verify-production`: FOIL cases (P26, P27)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from civicsocial.records.evidence import EvidenceError, trust_roots
from civicsocial.records.foil import business_days_left, open_case
from civicsocial.records.management.arguments import date_argument
from civicsocial.records.models import FoilCase
from civicsocial.records.production import REDACTABLE, Redaction, export_case
from civicsocial.records.production_check import verify_production
from civicsocial.registry.models import Agency, Person


def _case(value: str) -> FoilCase:
    number = value.rsplit("-", 1)[-1]
    case = FoilCase.objects.filter(pk=int(number)).first() if number.isdigit() else None
    if case is None:
        raise CommandError(f"No FOIL case {value}.")
    return case


class Command(BaseCommand):
    help = "FOIL cases: open one, list them, export a production, verify a production."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("open", help="open a case; prints its id on the last line")
        p.add_argument("--requester", required=True)
        p.add_argument("--received", required=True, type=date_argument)
        p.add_argument("--query", action="append", default=[], help="a saved search (repeatable)")
        p.add_argument("--agency", help="agency slug")
        p.add_argument("--officer", help="user name of the records officer")
        sub.add_parser("list", help="cases with their clocks")
        p = sub.add_parser("export", help="write the production zip of a case")
        p.add_argument("case")
        p.add_argument("--out", type=Path, required=True)
        p.add_argument("--redact", default="", help=f"comma-separated: {', '.join(REDACTABLE)}")
        p.add_argument("--reason", default="", help="why fields are redacted (in the manifest)")
        p = sub.add_parser("verify-production", help="check a production zip; exit 1 if altered")
        p.add_argument("file", type=Path)
        p.add_argument("--against", type=Path, help="seals exported by the archive (SEALS.json)")
        p.add_argument("--trust", type=Path, help="PEM roots to check signatures and time-stamps against "
                                                  "(default: CIVICSOCIAL_EVIDENCE_TRUST)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "do_" + options["action"].replace("-", "_"))(options)

    def do_open(self, options: dict[str, Any]) -> None:
        agency = officer = None
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency '{options['agency']}'.")
        if options["officer"]:
            officer = Person.objects.filter(username=options["officer"]).first()
            if officer is None:
                raise CommandError(f"No person '{options['officer']}'.")
        try:
            case = open_case(None, options["requester"], options["received"], options["query"],
                             agency=agency, officer=officer)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Opened {case.number}; acknowledge by {case.acknowledge_by} "
                          f"({business_days_left(case)} business days left).")
        self.stdout.write(str(case.pk))

    def do_list(self, options: dict[str, Any]) -> None:
        for case in FoilCase.objects.all():
            left = business_days_left(case)
            clock = f"{left} business days left" if left >= 0 else f"OVERDUE by {-left}"
            self.stdout.write(f"{case.pk:>6}  {case.number}  {case.status:<12} "
                              f"ack by {case.acknowledge_by} ({clock})  {case.requester}")

    def do_export(self, options: dict[str, Any]) -> None:
        case = _case(options["case"])
        fields = [f.strip() for f in options["redact"].split(",") if f.strip()]
        if fields and not options["reason"]:
            raise CommandError("Give --reason for the redaction; it goes in the manifest.")
        redaction = Redaction(fields=fields, reason=options["reason"], by="command line")
        with Progress(TextColumn(f"Exporting {case.number}"), BarColumn(), MofNCompleteColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("export", total=None)
            try:
                manifest = export_case(case, options["out"], redaction, progress=lambda done, total:
                                       bar.update(task, completed=done, total=total))
            except (ValueError, EvidenceError) as error:
                raise CommandError(str(error)) from None
        self.stdout.write(f"Wrote {options['out']}: {manifest['items']} items, "
                          f"{manifest['versions']} versions, {len(manifest['files'])} files; "
                          f"manifest SHA-256 {manifest['manifest_sha256']} (in the case's history).")

    def do_verify_production(self, options: dict[str, Any]) -> None:
        seals = None
        if options["against"]:
            try:
                seals = json.loads(options["against"].read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"Cannot read seals from {options['against']}: {error}") from None
        try:
            roots = trust_roots(options["trust"])
        except OSError as error:
            raise CommandError(f"Cannot read trusted roots: {error}") from None
        check = verify_production(options["file"], seals, roots)
        if check.ok:
            self.stdout.write(f"OK: {check.files} files and {check.versions} versions verified; "
                              f"manifest SHA-256 {check.manifest_sha256}.")
            if check.signer:
                self.stdout.write(f"Signed by {check.signer}; time-stamped "
                                  f"{check.timestamped_at:%Y-%m-%d %H:%M:%S} UTC by the authority; "
                                  f"{check.signed_pdfs} thread PDFs signed.")
            for note in check.notes:
                self.stdout.write(f"Note: {note}.")
            return
        for problem in check.problems:
            self.stderr.write(problem)
        raise SystemExit(1)
