"""Issue 21: an import commits a batch at a time, cut at a number of lines (longer on
PostgreSQL, whose commits cost more and lock only the rows written) or at a size in
bytes, whichever comes first, so captures with large payloads never make a batch that
fills the worker's memory; the position it resumes from is exact either way."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from civicsocial.records import importer
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.capture import Capture
from civicsocial.records.models import ArchivedItem
from civicsocial.records.tests.helpers import batches_of, capture_file
from civicsocial.testing import BaseTestCase


class ImportBatchesTestCase(BaseTestCase):
    def captures(self, count: int) -> Path:
        # Every line the same length: a batch's size in bytes is a whole number of lines.
        return capture_file("b", count)

    def import_counting_batches(self, path: Path) -> tuple[importer.ImportJob, list[int]]:
        sizes: list[int] = []
        archive = importer.archive_captures

        def each_batch(batch: list[Capture]) -> ArchiveResult:
            sizes.append(len(batch))
            return archive(batch)

        with mock.patch.object(importer, "archive_captures", side_effect=each_batch):
            job = importer.import_file(path, path.with_suffix(".rejects"))
        return job, sizes

    def assert_imported_whole(self, job: importer.ImportJob, path: Path, count: int) -> None:
        self.assertEqual((job.status, job.lines_done, job.done), ("done", count, path.stat().st_size))
        self.assertEqual(ArchivedItem.objects.filter(platform_id__startswith="b").count(), count)

    def test_it_cuts_a_batch_at_its_number_of_lines(self):
        path = self.captures(10)
        with batches_of(4):
            job, sizes = self.import_counting_batches(path)
        self.assertEqual(sizes, [4, 4, 2])
        self.assert_imported_whole(job, path, 10)

    def test_it_cuts_a_batch_at_its_size_in_bytes_when_that_comes_first(self):
        path = self.captures(10)
        line_bytes = path.stat().st_size // 10
        with batches_of(1000), mock.patch.object(importer, "BATCH_BYTES", line_bytes * 5 // 2):
            job, sizes = self.import_counting_batches(path)
        self.assertEqual(sizes, [3, 3, 3, 1])  # the line that reaches the size ends the batch
        self.assert_imported_whole(job, path, 10)

    def test_it_resumes_a_size_cut_import_exactly_where_its_last_batch_ended(self):
        path = self.captures(10)
        line_bytes = path.stat().st_size // 10
        commit = importer._commit
        done: list[int] = []

        def commit_then_stop(*args: object) -> None:
            commit(*args)  # type: ignore[arg-type]
            done.append(1)
            if len(done) == 2:
                raise KeyboardInterrupt  # the worker stops after its second batch

        with batches_of(1000), mock.patch.object(importer, "BATCH_BYTES", line_bytes * 2):
            with (mock.patch.object(importer, "_commit", commit_then_stop),
                  self.assertRaises(KeyboardInterrupt)):
                importer.import_file(path, path.with_suffix(".rejects"))
            self.assertEqual(ArchivedItem.objects.filter(platform_id__startswith="b").count(), 4)
            job = importer.import_file(path, path.with_suffix(".rejects"))
        self.assert_imported_whole(job, path, 10)
        # Resumed at the third batch's first byte: no line read twice, none cut in two.
        self.assertEqual((job.counts.get("unchanged", 0), job.rejected), (0, 0))
