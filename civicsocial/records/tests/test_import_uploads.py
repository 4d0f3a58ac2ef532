"""Issue 21: a capture file uploaded to the imports page (or the API) is imported by the
worker, with its progress on the page; it can be cancelled, goes on from its last
committed batch after a cancel or a killed worker, and the same content is imported once.
(The worker's queue runs inline in tests: a queued import has run when the page answers.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from civicsocial.duties.leases import lease
from civicsocial.records import import_jobs, importer
from civicsocial.records.models import ArchivedItem, ImportJob, ItemVersion
from civicsocial.records.tests.helpers import batches_of, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


def captures(count: int, broken_every: int = 0) -> bytes:
    lines = []
    for n in range(count):
        lines.append(json.dumps(line(f"u{n}", minutes=n, text=f"uploaded comment {n}")))
        if broken_every and n % broken_every == 0:
            lines.append("{not json")
    return ("\n".join(lines) + "\n").encode()


class WorkerKilled(BaseException):
    """The worker process dying mid-import: nothing after it runs (not even a failure)."""


@contextmanager
def killed_after_first_batch() -> Iterator[None]:
    """Batches of 15 lines, and the process dies right after committing the first."""
    real = importer._commit

    def commit_then_die(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise WorkerKilled

    with batches_of(15), \
            mock.patch.object(importer, "_commit", commit_then_die):
        yield


def upload(content: bytes, name: str = "captures.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/x-ndjson")


@override_settings(IMPORTS_DIR=Path(mkdtemp()))
class ImportUploadTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.ods)

    def test_it_imports_an_uploaded_file_in_the_worker(self):
        response = self.client.post(
            "/archive/imports/", {"file": upload(captures(30, broken_every=10))}, follow=True
        )
        job = ImportJob.objects.get()
        self.assertEqual(job.status, ImportJob.Status.DONE)
        self.assertTrue(job.uploaded)
        self.assertEqual(ArchivedItem.objects.count(), 30)
        self.assertEqual((job.lines_done, job.rejected, job.counts.get("created")), (33, 3, 30))
        self.assertEqual(job.done, job.total)
        page = response.content.decode()
        self.assertIn("Queued: the worker imports", page)
        self.assertIn("<strong>Done</strong>", page)
        rejects = Path(job.path + ".rejects.jsonl").read_text().splitlines()
        self.assertEqual([json.loads(r)["line"] for r in rejects], [2, 13, 24])
        self.assertFalse(Path(job.path).exists())  # imported: the upload's copy is not kept
        self.client.post("/archive/imports/", {"file": upload(captures(30, broken_every=10))})
        self.assertEqual((ImportJob.objects.count(), ArchivedItem.objects.count()), (1, 30))
        self.assertFalse(Path(job.path).exists())  # the same content again: nothing left behind

    def test_it_imports_the_same_content_once_whatever_its_name(self):
        content = captures(5)
        self.client.post("/archive/imports/", {"file": upload(content)})
        response = self.client.post(
            "/archive/imports/", {"file": upload(content, "again.jsonl")}, follow=True
        )
        self.assertIn("was imported before; nothing changed", response.content.decode())
        self.assertEqual(ImportJob.objects.count(), 1)
        self.assertEqual(ItemVersion.objects.count(), 5)
        self.assertEqual(len(list(Path(ImportJob.objects.get().path).parent.glob("*again*"))), 0)

    def test_it_refuses_an_empty_or_too_large_file_and_keeps_nothing(self):
        response = self.client.post("/archive/imports/", {"file": upload(b"")})
        self.assertContains(response, "The submitted file is empty.")
        with override_settings(IMPORT_UPLOAD_MAX_BYTES=100):
            response = self.client.post("/archive/imports/", {"file": upload(captures(5))}, follow=True)
        self.assertContains(response, "the most the imports page takes is 100")
        self.assertFalse(ImportJob.objects.exists())

    def test_it_stops_when_cancelled_and_goes_on_from_there_when_uploaded_again(self):
        content = captures(50)
        job, _ = import_jobs.request_import(self.ods, upload(content))
        real = importer._commit
        commits = []

        def cancel_after_first_batch(*args, **kwargs):
            real(*args, **kwargs)
            commits.append(1)
            if len(commits) == 1:  # someone presses Cancel after the first batch
                self.client.post(f"/archive/imports/{job.pk}/cancel/")

        with (
            batches_of(20),
            mock.patch.object(importer, "_commit", cancel_after_first_batch),
        ):
            import_jobs.run_import_job(job.pk)
        job.refresh_from_db()
        self.assertEqual((job.status, job.lines_done), (ImportJob.Status.CANCELLED, 20))
        self.assertEqual(ArchivedItem.objects.count(), 20)  # what it committed stays
        self.client.post("/archive/imports/", {"file": upload(content)})
        job.refresh_from_db()
        self.assertEqual((job.status, job.lines_done, job.attempts), (ImportJob.Status.DONE, 50, 2))
        self.assertEqual(ItemVersion.objects.count(), 50)  # nothing twice

    def test_it_goes_on_after_its_worker_was_killed(self):
        job, _ = import_jobs.request_import(self.ods, upload(captures(40)))
        with killed_after_first_batch(), self.assertRaises(WorkerKilled):
            import_jobs.run_import_job(job.pk)
        job.refresh_from_db()
        self.assertEqual(
            (job.status, job.lines_done, ArchivedItem.objects.count()), (ImportJob.Status.RUNNING, 15, 15)
        )
        with lease(importer.lease_name(job), timedelta(minutes=1)):  # its worker still alive
            self.assertEqual(import_jobs.resume_abandoned(), [])
        self.assertEqual(import_jobs.resume_abandoned(), [job.pk])  # the lease lapsed
        self.assertEqual(import_jobs.resume_abandoned(), [])  # a second worker's sweep: once
        import_jobs.run_import_job(job.pk)
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts, job.lines_done), (ImportJob.Status.DONE, 2, 40))
        self.assertEqual((ArchivedItem.objects.count(), ItemVersion.objects.count()), (40, 40))

    def test_it_shows_the_rate_and_time_left_while_importing(self):
        job, _ = import_jobs.request_import(self.ods, upload(captures(3)))
        shown = {}

        def look(*args, **kwargs):  # the page and the API while the first batch is in
            shown["page"] = self.client.get("/archive/imports/").content.decode()
            shown["api"] = self.client.get(f"/api/archive/imports/{job.pk}").json()

        with mock.patch.object(importer, "_commit", side_effect=look):
            import_jobs.run_import_job(job.pk)
        self.assertIn("<strong>Running</strong>", shown["page"])
        self.assertIn('<meta http-equiv="refresh"', shown["page"])
        self.assertEqual((shown["api"]["status"], shown["api"]["unit"]), ("running", "bytes"))
        self.assertEqual(shown["api"]["total"], job.total)

    def test_it_starts_cancels_and_lists_from_the_api(self):
        response = self.client.post("/api/archive/imports", {"file": upload(captures(4))})
        self.assertEqual(response.status_code, 202, response.content)
        data = response.json()
        self.assertEqual((data["status"], data["lines"], data["new"]), ("done", 4, True))
        again = self.client.post("/api/archive/imports", {"file": upload(captures(4), "b.jsonl")}).json()
        self.assertEqual((again["id"], again["new"]), (data["id"], False))
        self.assertEqual([j["id"] for j in self.client.get("/api/archive/imports").json()], [data["id"]])
        self.assertEqual(self.client.post(f"/api/archive/imports/{data['id']}/cancel").status_code, 400)

    def test_the_command_line_says_when_another_process_is_importing_the_file(self):
        path = Path(mkdtemp()) / "c.jsonl"
        path.write_bytes(captures(3))
        job = importer.job_for(path)
        with lease(importer.lease_name(job), timedelta(minutes=1)):
            busy = importer.import_file(path, path.with_suffix(".rejects"))
        self.assertEqual(busy.status, ImportJob.Status.QUEUED)
        self.assertFalse(ArchivedItem.objects.exists())
        done = importer.import_file(path, path.with_suffix(".rejects"))
        self.assertEqual((done.status, ArchivedItem.objects.count()), (ImportJob.Status.DONE, 3))

    def test_it_says_a_command_line_import_stopped_when_its_process_died(self):
        path = Path(mkdtemp()) / "c.jsonl"
        path.write_bytes(captures(40))
        with killed_after_first_batch(), self.assertRaises(WorkerKilled):
            importer.import_file(path, path.with_suffix(".rejects"))
        job = importer.job_for(path)
        self.assertEqual((job.status, job.lines_done), (ImportJob.Status.RUNNING, 15))
        with lease(importer.lease_name(job), timedelta(minutes=1)):  # the command still running
            import_jobs.resume_abandoned()
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.RUNNING)
        self.assertEqual(import_jobs.resume_abandoned(), [])  # not queued: the worker may not see the file
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("civicsocial archive import", job.error)
        self.assertIn("Failed", self.client.get("/archive/imports/").content.decode())
        done = importer.import_file(path, path.with_suffix(".rejects"))  # run again: goes on
        self.assertEqual((done.status, done.lines_done), (ImportJob.Status.DONE, 40))
        self.assertEqual(ItemVersion.objects.count(), 40)

    def test_it_validates_ownership(self):
        job, _ = import_jobs.request_import(self.ods, upload(captures(2)))
        self.login(self.person(Role.AGENCY_ADMIN))
        self.assertEqual(
            self.client.post("/archive/imports/", {"file": upload(captures(3))}).status_code, 403
        )
        self.assertEqual(
            self.client.post("/api/archive/imports", {"file": upload(captures(3))}).status_code, 403
        )
        self.assertEqual(self.client.post(f"/api/archive/imports/{job.pk}/cancel").status_code, 403)
        self.assertEqual(ImportJob.objects.count(), 1)
