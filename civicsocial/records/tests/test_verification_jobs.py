"""Issue 21 (P27): the whole archive, or a case's latest production, is checked in the
worker from the pages and the API, with its progress and what it found on the page:
every chain and seal, every file, signature and time-stamp, against the roots the city
trusts. (The worker's queue runs inline in tests.)"""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from civicsocial.records import production_check, verification_jobs
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.integrity import seal_days
from civicsocial.records.models import ArchivedItem, ItemVersion, VerificationJob, VersionContent
from civicsocial.records.production_jobs import production_path, request_production, run_production_job
from civicsocial.records.tests.evidence import signing_configured
from civicsocial.records.tests.helpers import archive, as_attacker, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class VerificationJobTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(override_settings(PRODUCTIONS_DIR=Path(mkdtemp())))  # a production per test
        archive(*[line(f"c{n}", minutes=n, text=f"pothole {n}") for n in range(6)])
        seal_days(before=timezone.now().date() + timedelta(days=1))
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20), agency=self.alpha)
        for item in ArchivedItem.objects.all():
            attach_item(None, self.case, item)
        self.url = f"/foil/{self.case.pk}/"

    def build(self) -> None:
        job, _ = request_production(None, self.case)
        run_production_job(job.pk)

    def test_it_checks_the_whole_archive_from_the_page(self):
        self.login(self.ods)
        page = self.client.post("/archive/verifications/", follow=True).content.decode()
        job = VerificationJob.objects.get()
        self.assertEqual((job.status, job.ok, job.report["versions"]), ("done", True, 6))
        self.assertEqual((job.done, job.total), (6, 6))
        self.assertIn('<span class="pass">Verified</span>: 6 versions', page)

    def test_it_names_what_is_broken_in_the_archive(self):
        with as_attacker():
            VersionContent.objects.filter(pk=ItemVersion.objects.get(chain_seq=3).pk).update(text="changed")
        self.login(self.ods)
        page = self.client.post("/archive/verifications/", follow=True).content.decode()
        job = VerificationJob.objects.get()
        self.assertIs(job.ok, False)
        self.assertIn("first broken link at sequence 3", job.report["problems"][0])
        self.assertIn('<span class="fail">Failed</span>', page)
        self.assertIn("first broken link at sequence 3", page)

    def test_it_checks_a_signed_production_against_the_trusted_roots(self):
        with signing_configured():
            self.build()
            self.login(self.person(Role.RECORDS_OFFICER))
            page = self.client.post(f"{self.url}production/verify/", follow=True).content.decode()
        job = self.case.verification_jobs.get()
        self.assertTrue(job.ok, job.report)
        self.assertEqual(job.report["files"], job.total)
        self.assertIn("Test City", job.report["signer"])
        self.assertTrue(job.report["timestamped_at"])
        self.assertGreaterEqual(job.report["signed_pdfs"], 1)
        self.assertIn('<span class="pass">Verified</span>', page)

    def test_it_fails_a_production_changed_after_it_was_built(self):
        self.build()
        path = production_path(self.case)
        changed = path.with_suffix(".changed")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(changed, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                dst.writestr(
                    info, data.replace(b"pothole 3", b"pothole 9") if info.filename == "items.jsonl" else data
                )
        changed.replace(path)
        self.login(self.person(Role.RECORDS_OFFICER))
        self.client.post(f"{self.url}production/verify/")
        job = self.case.verification_jobs.get()
        self.assertIs(job.ok, False)
        self.assertIn("items.jsonl does not match its SHA-256 (changed)", job.report["problems"])

    def test_it_says_when_there_is_no_production_to_check(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        response = self.client.post(f"/api/foil/{self.case.pk}/verification")
        self.assertEqual(response.status_code, 202)
        self.assertEqual(
            (response.json()["ok"], response.json()["report"]["problems"]),
            (False, ["The case has no production yet: build one first."]),
        )

    def test_it_shows_progress_and_cancels_at_the_next_step(self):
        self.build()
        job, _ = verification_jobs.request_verification(None, self.case)
        self.login(self.person(Role.RECORDS_OFFICER))
        seen: dict = {}
        original = production_check.verify_production

        def checking(path, seals, roots, progress):
            def step(done, total):
                if not seen:  # someone looks at the case, then presses Cancel
                    seen["api"] = self.client.get(f"/api/foil/{self.case.pk}").json()["verification"]
                    seen["page"] = self.client.get(self.url).content.decode()
                    self.client.post(f"/archive/verifications/{job.pk}/cancel/")
                progress(done, total)

            return original(path, seals, roots, progress=step)

        with mock.patch.object(production_check, "verify_production", checking):
            verification_jobs.run_verification_job(job.pk)
        job.refresh_from_db()
        self.assertEqual((job.status, job.ok), (VerificationJob.Status.CANCELLED, None))
        self.assertEqual((seen["api"]["status"], seen["api"]["unit"]), ("running", "files"))
        self.assertIn("<strong>Running</strong>", seen["page"])
        self.assertIn("Cancel</button>", seen["page"])

    def test_it_runs_one_check_at_a_time_and_starts_again_after_a_killed_worker(self):
        first, new = verification_jobs.request_verification(None)
        again, new_again = verification_jobs.request_verification(None)
        self.assertEqual((again.pk, new, new_again), (first.pk, True, False))
        VerificationJob.objects.filter(pk=first.pk).update(status=VerificationJob.Status.RUNNING, attempts=1)
        self.assertEqual(verification_jobs.resume_abandoned(), [first.pk])  # nobody holds its lease
        verification_jobs.run_verification_job(first.pk)
        first.refresh_from_db()
        self.assertEqual((first.status, first.ok, first.attempts), ("done", True, 2))

    def test_it_validates_ownership(self):
        self.build()
        mine, _ = verification_jobs.request_verification(None, self.case)
        self.login(self.person(Role.RECORDS_OFFICER, agency="bravo"))
        self.assertEqual(self.client.post(f"{self.url}production/verify/").status_code, 404)
        self.assertEqual(self.client.post(f"/api/foil/{self.case.pk}/verification").status_code, 404)
        self.assertEqual(self.client.get(f"/api/archive/verifications/{mine.pk}").status_code, 404)
        self.assertEqual(self.client.post(f"/archive/verifications/{mine.pk}/cancel/").status_code, 404)
        self.assertEqual(
            self.client.post("/archive/verifications/").status_code, 403
        )  # the whole archive: ODS
        self.assertEqual(self.client.post("/api/archive/verifications").status_code, 403)
        self.assertEqual(VerificationJob.objects.count(), 1)
        mine.refresh_from_db()
        self.assertEqual(mine.status, VerificationJob.Status.QUEUED)
