"""Issue 21: an import keeps PostgreSQL's statistics of the archive up to date as it
grows, as PostgreSQL's manual asks after a bulk load: a planner that still believed the
archive empty looked each batch's items up by reading their whole stream."""

from __future__ import annotations

from django.db import connection

from civicsocial.records import importer
from civicsocial.records.models import ArchivedItem
from civicsocial.records.tests.helpers import batches_of, capture_file
from civicsocial.testing import BaseTestCase


def planner_rows(table: str) -> float:
    """How many rows the planner believes `table` has (-1: never analyzed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


class ImportStatisticsTestCase(BaseTestCase):
    def import_lines(self, count: int) -> None:
        path = capture_file("s", count)
        with batches_of(10):
            job = importer.import_file(path, path.with_suffix(".rejects"))
        self.assertEqual(job.lines_done, count)

    def test_it_analyzes_the_archive_as_an_import_doubles_it(self):
        if connection.vendor != "postgresql":
            self.skipTest("SQLite's planner finds items by their unique index without statistics")
        before = ArchivedItem.objects.count()
        self.import_lines(70)
        # Batches of 10 lines: analyzed after 20 and 40 lines, not after 60 (not doubled).
        self.assertEqual(planner_rows("records_archiveditem"), before + 40)
        self.assertEqual(planner_rows("records_itemversion"), before + 40)
        self.assertEqual(ArchivedItem.objects.count(), before + 70)

