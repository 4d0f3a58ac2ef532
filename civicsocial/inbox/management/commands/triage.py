"""`civicsocial triage --in FILE.jsonl [--out FILE.jsonl]`: triage every line of a file
shaped like ../shared/triage/dev.jsonl (its labels, if any, are ignored) and write one
line per input: {"id": ..., "labels": [...], "reasons": {...}}. `--evaluate` compares
with the file's own labels instead (`make eval`); `--held-back` trains the model on half
the accounts and measures on the other half."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from civicsocial.inbox.triage import DELETION_GROUNDS, comment_of, triage_many
from civicsocial.inbox.triage.evaluate import evaluate, read_lines, split_by_account
from civicsocial.inbox.triage.model import train


class Command(BaseCommand):
    help = "Triage comments from a JSON-lines file (labels, with the reason for each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--in", dest="source", required=True, help="JSON lines to triage")
        parser.add_argument("--out", default="-", help="where to write (default: standard output)")
        parser.add_argument("--evaluate", action="store_true",
                            help="compare with the file's labels: precision, recall, F1")
        parser.add_argument("--folds", type=int, default=0,
                            help="with --evaluate: cross-validate the model in N folds (for "
                                 "the file it was trained on)")
        parser.add_argument("--held-back", action="store_true",
                            help="with --evaluate: train on every first account by size, "
                                 "measure on every second one")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        try:
            rows = read_lines(source)
        except OSError as error:
            raise CommandError(f"cannot read {source}: {error.strerror}") from None
        except ValueError as error:
            raise CommandError(f"{source}: {error}") from None
        if options["evaluate"]:
            self._report(rows, options["folds"], options["held_back"])
            return
        out = sys.stdout if options["out"] == "-" else open(options["out"], "w", encoding="utf-8")  # noqa: SIM115
        try:
            for row, found in zip(rows, triage_many([comment_of(r) for r in rows]), strict=True):
                out.write(json.dumps({"id": row.get("id"), "labels": found.labels,
                                      "reasons": found.reasons}, ensure_ascii=False) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()

    def _report(self, rows: list[dict[str, Any]], folds: int, held_back: bool) -> None:
        console = Console(file=cast(IO[str], self.stdout), width=110)
        model = None
        if held_back:
            tuning, rows = split_by_account(rows)
            model = train(tuning)
            console.print(f"Held back: {len(rows)} comments on "
                          f"{len({r.get('account') for r in rows})} accounts; the model trained "
                          f"on the other {len(tuning)} comments and accounts")
        result = evaluate(rows, folds, model)
        console.print(f"Triage against {len(rows)} labelled comments"
                      + (f" (model cross-validated, {folds} folds)" if folds > 1 else ""))
        table = Table("label", "comments", "precision", "recall", "F1")
        for score in result.scores:
            table.add_row(score.label, str(score.support), f"{score.precision:.2f}",
                          f"{score.recall:.2f}", f"{score.f1:.2f}")
        console.print(table)
        given = result.complaints_given_a_ground
        console.print(f"Complaint only (protected speech): {result.complaints_only} comments, "
                      f"{len(given)} given a deletion ground")
        console.print("Complaints given a deletion ground (must be empty):")
        grounds = Table("id", "comment", "ground and reason")
        for case in given:
            grounds.add_row(case.id, case.text[:70], "; ".join(
                f"{label}: {why}" for label, why in case.reasons.items()
                if label in DELETION_GROUNDS))
        console.print(grounds)
        for ground in DELETION_GROUNDS:
            missed = result.grounds_missed.get(ground, [])
            if missed:
                console.print(f"  {ground} seen only as a complaint: {len(missed)} {missed}")
