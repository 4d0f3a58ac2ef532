"""Issue 17: the archive's duties with several workers. A day is sealed once; a FOIL
production, an uploaded import or a check of the archive asked for twice at once is one
job, done by one worker, whole (issue 21)."""

from __future__ import annotations

import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.import_jobs import request_import, run_import_job
from civicsocial.records.integrity import seal_days, verify
from civicsocial.records.models import (
    ArchivedItem,
    DailySeal,
    ImportJob,
    ItemVersion,
    ProductionJob,
    VerificationJob,
)
from civicsocial.records.production_check import verify_production
from civicsocial.records.production_jobs import production_path, request_production, run_production_job
from civicsocial.records.search.service import search
from civicsocial.records.tests.helpers import archive, batches_of, line
from civicsocial.records.verification_jobs import request_verification, run_verification_job
from civicsocial.testing import WorkersTestCase, at_once, races_on_postgres, raised


@races_on_postgres
class RecordsRaceTestCase(WorkersTestCase):
    def setUp(self) -> None:
        super().setUp()
        archive(*[line(f"c-{n}", account=f"@stream{n % 4}", text=f"Comment {n}") for n in range(80)])

    def test_it_seals_each_day_once(self):
        tomorrow = timezone.now().date() + timedelta(days=1)
        results = at_once(*[lambda: seal_days(tomorrow)] * 4)
        self.assertEqual(raised(results), [])
        self.assertEqual(sum(len(r) for r in results), 4)  # four streams, one day each
        self.assertEqual(DailySeal.objects.count(), 4)
        self.assertTrue(verify().ok)

    def test_it_makes_one_job_of_two_requests_and_builds_it_once(self):
        case = open_case(None, "Requester", date(2026, 11, 20))
        for item in ArchivedItem.objects.all():
            attach_item(None, case, item)
        asked = at_once(*[lambda: request_production(None, case)] * 4)
        self.assertEqual(raised(asked), [])
        self.assertEqual({job.pk for job, _ in asked}, {ProductionJob.objects.get().pk})
        self.assertEqual(sum(new for _, new in asked), 1)
        job = asked[0][0]
        built = at_once(*[lambda: run_production_job(job.pk)] * 3)
        self.assertEqual(raised(built), [])
        job.refresh_from_db()
        self.assertEqual(job.status, ProductionJob.Status.DONE, job.error)
        with zipfile.ZipFile(production_path(case)) as production:
            self.assertIsNone(production.testzip())
        self.assertTrue(verify_production(production_path(case)).ok)

    def test_it_imports_an_upload_once_when_asked_twice_and_run_by_three_workers(self):
        content = "".join(json.dumps(line(f"u{n}", minutes=n)) + "\n" for n in range(120))
        def ask() -> tuple[ImportJob, bool]:  # each request its own upload of the same file
            return request_import(None, SimpleUploadedFile("u.jsonl", content.encode()))

        with override_settings(IMPORTS_DIR=Path(mkdtemp())):
            asked = at_once(ask, ask, ask)
            self.assertEqual(raised(asked), [])
            self.assertEqual(sum(new for _, new in asked), 1)
            job = asked[0][0]
            with batches_of(25):
                ran = at_once(*[lambda: run_import_job(job.pk)] * 3)
        self.assertEqual(raised(ran), [])
        job.refresh_from_db()
        self.assertEqual((job.status, job.lines_done, job.attempts), (ImportJob.Status.DONE, 120, 1))
        self.assertEqual(ItemVersion.objects.filter(item__platform_id__startswith="u").count(), 120)
        self.assertTrue(verify().ok)

    def test_it_archives_several_accounts_at_once_each_row_with_keys_of_its_own(self):
        # Each batch takes its rows' keys before writing them (bulk.reserve_ids): workers
        # archiving other streams at the same moment must never be given the same ones.
        batches = [[line(f"w{worker}-{n}", account=f"@worker{worker}", minutes=n, text=f"word{worker} {n}")
                    for n in range(60)] for worker in range(4)]
        results = at_once(*[lambda batch=batch: archive(*batch) for batch in batches])
        self.assertEqual(raised(results), [])
        self.assertEqual(ArchivedItem.objects.filter(platform_id__startswith="w").count(), 240)
        versions = ItemVersion.objects.filter(item__platform_id__startswith="w")
        self.assertEqual(versions.values("item").distinct().count(), 240)
        self.assertEqual(versions.count(), 240)
        for worker in range(4):
            found = search(f"word{worker}")
            self.assertEqual(len(found), 60)
            self.assertEqual({hit.account for hit in found}, {f"@worker{worker}"})
        self.assertTrue(verify().ok)
        archive(*batches[0])  # the same captures again: nothing new
        self.assertEqual(versions.count(), 240)

    def test_it_checks_the_archive_once_when_asked_by_two_people_and_run_by_two_workers(self):
        asked = at_once(*[lambda: request_verification(None)] * 3)
        self.assertEqual(raised(asked), [])
        self.assertEqual({job.pk for job, _ in asked}, {VerificationJob.objects.get().pk})
        ran = at_once(*[lambda: run_verification_job(asked[0][0].pk)] * 2)
        self.assertEqual(raised(ran), [])
        job = VerificationJob.objects.get()
        self.assertEqual((job.status, job.ok, job.attempts, job.report["versions"]), ("done", True, 1, 80))
