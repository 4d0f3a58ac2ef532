"""Productions are built in the background (Huey) and the case page shows how far the
build is, its outcome and the manifest hash (issue 3: long work shows its status)."""

from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp

from django.test import override_settings
from django.utils.html import escape

from civicsocial.duties.leases import lease
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.models import ArchivedItem, ProductionJob
from civicsocial.records.production_check import verify_production
from civicsocial.records.production_jobs import production_path, request_production, run_production_job
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class ProductionJobTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        archive(line("p1", kind="post", text="Road work on Main St"),
                line("c1", minutes=1, parent_id="p1", text="pothole here"))
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20), agency=self.alpha)
        for item in ArchivedItem.objects.all():
            attach_item(None, self.case, item)
        self.url = f"/foil/{self.case.pk}/"

    def test_it_builds_the_production_in_the_background_and_shows_the_outcome(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        response = self.client.post(f"{self.url}export/")
        self.assertRedirects(response, self.url)
        job = ProductionJob.objects.get(case=self.case)
        self.assertEqual(job.status, ProductionJob.Status.DONE)
        self.assertEqual((job.done, job.total), (2, 2))
        self.assertTrue(verify_production(production_path(self.case)).ok)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Done", page)
        self.assertIn(job.manifest_sha256, page)
        self.assertNotIn('http-equiv="refresh"', page)

    def test_it_does_not_queue_a_second_build_while_one_is_waiting(self):
        first, new = request_production(None, self.case)
        self.assertTrue(new)
        again, new = request_production(None, self.case)
        self.assertEqual((again, new), (first, False))
        self.login(self.person(Role.RECORDS_OFFICER))
        page = self.client.get(self.url).content.decode()
        self.assertIn("Queued", page)
        self.assertIn("<progress", page)
        self.assertIn('http-equiv="refresh"', page)  # the page follows the build
        self.assertNotIn("Build the production</button>", page)

    def test_it_starts_again_when_the_worker_building_it_stopped(self):
        stuck, _ = request_production(None, self.case)
        ProductionJob.objects.filter(pk=stuck.pk).update(status=ProductionJob.Status.RUNNING)
        with lease(f"production:{self.case.pk}", timedelta(minutes=10)):  # still building
            self.assertEqual(request_production(None, self.case), (stuck, False))
        fresh, new = request_production(None, self.case)  # its worker was killed (issue 17)
        self.assertTrue(new)
        stuck.refresh_from_db()
        self.assertEqual(stuck.status, ProductionJob.Status.FAILED)
        self.assertIn("stopped", stuck.error)
        self.assertEqual(run_production_job(fresh.pk).status, ProductionJob.Status.DONE)

    def test_it_shows_a_failed_build_and_keeps_the_previous_production(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        self.client.post(f"{self.url}export/")
        blocked = Path(mkdtemp()) / "not-a-directory"
        blocked.write_text("a file where the productions directory should be")
        with override_settings(PRODUCTIONS_DIR=blocked):
            self.client.post(f"{self.url}export/")
        job = ProductionJob.objects.filter(case=self.case).first()
        self.assertEqual(job.status, ProductionJob.Status.FAILED)
        self.assertIn("Error", job.error)
        self.assertIn(escape(job.error), self.client.get(self.url).content.decode())
        self.assertTrue(verify_production(production_path(self.case)).ok)

    def test_it_validates_ownership(self):
        self.login(self.person(Role.RECORDS_OFFICER, "bravo"))
        self.assertEqual(self.client.post(f"{self.url}export/").status_code, 404)
        self.assertFalse(ProductionJob.objects.exists())
