"""Issue 21: an import keeps Python's cycle collector off the objects that existed before
it (each pass over them cost the import a sixth of its time), and puts it back as it
was when the import ends, however it ends."""

from __future__ import annotations

import gc
from unittest import mock

from civicsocial.records import importer
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.capture import Capture
from civicsocial.records.models import ArchivedItem
from civicsocial.records.tests.helpers import batches_of, capture_file
from civicsocial.testing import BaseTestCase


class ImportCollectorTestCase(BaseTestCase):
    def test_it_sets_the_older_objects_aside_while_it_imports(self):
        frozen: list[int] = []
        archive = importer.archive_captures

        def each_batch(batch: list[Capture]) -> ArchiveResult:
            frozen.append(gc.get_freeze_count())
            return archive(batch)

        path = capture_file("gc", 5)
        with (batches_of(2),
              mock.patch.object(importer, "archive_captures", side_effect=each_batch)):
            job = importer.import_file(path, path.with_suffix(".rejects"))
        self.assertEqual((job.lines_done, len(frozen)), (5, 3))
        self.assertGreater(min(frozen), 1000)  # the modules, Django, this test's objects...
        self.assertEqual(gc.get_freeze_count(), 0)

    def test_it_puts_the_collector_back_when_the_import_fails(self):
        before = ArchivedItem.objects.count()
        path = capture_file("gc", 3)
        with (mock.patch.object(importer, "archive_captures", side_effect=OSError("disk full")),
              self.assertRaises(OSError)):
            importer.import_lines(importer.job_for(path), path, path.with_suffix(".rejects"),
                                  lambda done, total: None)
        self.assertEqual(gc.get_freeze_count(), 0)
        self.assertEqual(ArchivedItem.objects.count(), before)
