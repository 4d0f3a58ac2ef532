"""`civicsocial archive import|search|verify|seal|compact-index|export-seals|...`: the archive
(P25, P27)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from civicsocial.records.evidence import trust_roots
from civicsocial.records.importer import import_file, job_for
from civicsocial.records.integrity import export_seals, seal_days, verify
from civicsocial.records.management.arguments import date_argument
from civicsocial.records.models import ArchivedItem, ImportJob, ItemKind, RetentionSchedule
from civicsocial.records.retention import dispose_expired, place_hold
from civicsocial.records.seal_stamps import timestamp_seals
from civicsocial.records.search.backends import compact_index
from civicsocial.records.search.filters import Filters, add_flags
from civicsocial.records.search.query import QueryError
from civicsocial.records.search.service import count_matching, highlight, search
from civicsocial.text import for_terminal


def shown(value: str) -> str:
    """Captured text as the table prints it: Rich markup escaped, terminal controls shown."""
    return escape(for_terminal(value))


class Command(BaseCommand):
    help = "The archive: import captures, search every version, verify, seal."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="import a JSON Lines capture file (idempotent)")
        p.add_argument("file", type=Path)
        p.add_argument("--rejects", type=Path, help="where malformed lines go (FILE.rejects.jsonl)")
        p = sub.add_parser("search", help="search every version of every item")
        p.add_argument("query", nargs="?", default="")
        add_flags(p, date_argument)
        p.add_argument("--limit", type=int)
        p.add_argument("--format", choices=["table", "json"], default="table")
        p.add_argument("--count", action="store_true", help="print only how many items match (exactly)")
        p = sub.add_parser("verify", help="check every hash chain and seal; exit 1 if broken")
        p.add_argument("--against", type=Path, help="seals exported earlier (SEALS.json)")
        p.add_argument("--trust", type=Path, help="PEM roots to check the seals' time-stamps against "
                                                  "(default: CIVICSOCIAL_EVIDENCE_TRUST)")
        sub.add_parser("seal", help="seal every complete day not sealed yet, and time-stamp the seals")
        sub.add_parser("compact-index", help="merge the search index into one piece (the worker does "
                                             "it nightly)")
        p = sub.add_parser("export-seals", help="write every seal to a file kept elsewhere")
        p.add_argument("--out", type=Path, required=True)
        p = sub.add_parser("retention", help="set how long a kind of record is kept")
        p.add_argument("kind", choices=ItemKind.values)
        p.add_argument("days", type=int)
        p.add_argument("--authority", required=True, help="the records schedule item")
        p = sub.add_parser("hold", help="put one item on legal hold")
        p.add_argument("platform")
        p.add_argument("account")
        p.add_argument("item_id")
        p.add_argument("--reason", required=True)
        p = sub.add_parser("dispose", help="dispose of content past retention, never under hold")
        p.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.console = Console(file=cast(IO[str], self.stdout), width=160)
        getattr(self, "do_" + options["action"].replace("-", "_"))(options)

    def _progress(self, total: int | None, label: str) -> Progress:
        return Progress(TextColumn(label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                        disable=total is None)

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        rejects = options["rejects"] or path.with_name(path.name + ".rejects.jsonl")
        job = job_for(path)
        if job.status == ImportJob.Status.DONE:
            self.stdout.write(f"{path} was imported before (same content); nothing changed.")
            return
        with self._progress(path.stat().st_size, f"Importing {path.name}") as bar:
            task = bar.add_task("import", total=path.stat().st_size)
            job = import_file(path, rejects, job=job,
                              progress=lambda done, total: bar.update(task, completed=done))
        if job.status != ImportJob.Status.DONE:
            raise CommandError(self._unfinished(job))
        counts = ", ".join(f"{k} {v}" for k, v in sorted(job.counts.items())) or "nothing new"
        self.stdout.write(f"{path}: {job.lines_done} lines; {counts}; rejected {job.rejected}"
                          + (f" (see {rejects})" if job.rejected else ""))

    @staticmethod
    def _unfinished(job: ImportJob) -> str:
        where = f"{job.done:,} of {job.total:,} bytes imported; run it again to go on"
        if job.status == ImportJob.Status.FAILED:
            return f"The import failed: {job.error} ({where})."
        if job.status == ImportJob.Status.CANCELLED:
            return f"The import was cancelled ({where})."
        return f"Another process is importing this file ({job.done:,} of {job.total:,} bytes)."

    def do_search(self, options: dict[str, Any]) -> None:
        filters = Filters.from_values(options)
        try:
            if options["count"]:
                self.stdout.write(f"{count_matching(options['query'], filters):,} item(s) match.")
                return
            hits = search(options["query"], filters, limit=options["limit"])
        except QueryError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            for hit in hits:
                self.stdout.write(json.dumps(hit.as_dict(), ensure_ascii=False))
            return
        table = Table("platform", "account", "item", "kind", "versions", "state", "text")
        for hit in hits:
            state = "removed" if hit.deleted else "edited" if hit.edited else ""
            snippet = "".join(f"[bold]{shown(p)}[/bold]" if m else shown(p)
                              for p, m in highlight(hit.text, options["query"], 100))
            table.add_row(hit.platform, shown(hit.account), shown(hit.item_id), hit.kind,
                          str(hit.versions), state, snippet)
        self.console.print(table)
        self.console.print(f"{len(hits)} item(s).")

    def do_verify(self, options: dict[str, Any]) -> None:
        against = None
        if options["against"]:
            try:
                against = json.loads(Path(options["against"]).read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise CommandError(f"Cannot read seals from {options['against']}: {error}") from None
        try:
            roots = trust_roots(options["trust"])
        except OSError as error:
            raise CommandError(f"Cannot read trusted roots: {error}") from None
        with self._progress(1, "Verifying") as bar:
            task = bar.add_task("verify", total=None)
            report = verify(against, roots=roots,
                            progress=lambda done, total: bar.update(task, completed=done, total=total))
        if report.ok:
            self.stdout.write(f"OK: {report.checked} versions verified.")
            if report.stamps_checked or report.stamps_waiting:
                self.stdout.write(f"Seal time-stamps: {report.stamps_checked} checked, "
                                  f"{report.stamps_waiting} seal(s) waiting for one.")
            for note in report.notes:
                self.stdout.write(f"Note: {note}.")
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise SystemExit(1)

    def do_seal(self, options: dict[str, Any]) -> None:
        seals = seal_days()
        self.stdout.write(f"Sealed {len(seals)} stream-day(s).")
        stamps = timestamp_seals()
        if not settings.TSA_URL:
            self.stdout.write(f"No time-stamping authority configured (CIVICSOCIAL_TSA_URL): "
                              f"{stamps.waiting} seal(s) not time-stamped.")
        elif stamps.error:
            raise CommandError(f"Time-stamped {stamps.stamped} seal(s); {stamps.waiting} wait: "
                               f"{stamps.error}")
        else:
            self.stdout.write(f"Time-stamped {stamps.stamped} seal(s) by {settings.TSA_URL}.")

    def do_compact_index(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        compact_index()
        self.stdout.write(f"Search index compacted in {time.monotonic() - started:.1f} s.")

    def do_export_seals(self, options: dict[str, Any]) -> None:
        data = export_seals()
        options["out"].write_text(json.dumps(data, indent=1))
        self.stdout.write(f"Wrote {len(data['seals'])} seal(s) to {options['out']}.")

    def do_retention(self, options: dict[str, Any]) -> None:
        if options["days"] < 1:
            raise CommandError("Keep records at least one day.")
        RetentionSchedule.objects.update_or_create(
            kind=options["kind"], defaults={"keep_days": options["days"],
                                            "authority": options["authority"]})
        self.stdout.write(f"{options['kind']}: kept {options['days']} days ({options['authority']}).")

    def do_hold(self, options: dict[str, Any]) -> None:
        item = ArchivedItem.objects.filter(stream__platform=options["platform"],
                                           stream__handle=options["account"],
                                           platform_id=options["item_id"]).first()
        if item is None:
            raise CommandError("No such item in the archive.")
        place_hold(None, item, options["reason"])
        self.stdout.write(f"{item} is on legal hold.")

    def do_dispose(self, options: dict[str, Any]) -> None:
        report = dispose_expired(None, dry_run=options["dry_run"])
        verb = "Would dispose of" if options["dry_run"] else "Disposed of"
        self.stdout.write(f"{verb} {report.disposed} version(s) {report.by_kind or ''}; "
                          f"{report.held} kept under hold.")
