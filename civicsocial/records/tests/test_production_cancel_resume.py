"""Issue 21: a production built in the worker shows its rate and time left on the case
page and in the API, can be cancelled (the earlier zip stays), and starts again on
another worker after its worker was killed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp
from unittest import mock

import time_machine
from django.test import override_settings
from django.utils import timezone

from civicsocial.duties.leases import lease
from civicsocial.records import production_jobs
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.models import ArchivedItem, ProductionJob
from civicsocial.records.production_jobs import (
    cancel_production,
    production_path,
    request_production,
    resume_abandoned,
    run_production_job,
)
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


@override_settings(PRODUCTIONS_DIR=Path(mkdtemp()))
class ProductionCancelResumeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        archive(*[line(f"c{n}", minutes=n, text=f"pothole {n}") for n in range(5)])
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20), agency=self.alpha)
        for item in ArchivedItem.objects.all():
            attach_item(None, self.case, item)
        self.url = f"/foil/{self.case.pk}/"

    def test_it_shows_the_rate_and_time_left(self):
        job, _ = request_production(None, self.case)
        now = timezone.now()
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.RUNNING, done=50, total=150, started_at=now - timedelta(seconds=10))
        self.login(self.person(Role.RECORDS_OFFICER))
        with time_machine.travel(now, tick=False):  # 10 s after it began, whatever this machine's speed
            page = self.client.get(self.url).content.decode()
            data = self.client.get(f"/api/foil/{self.case.pk}").json()["production"]
        self.assertIn("50 of 150 items, 5 items/s, about 20 s left", page)
        self.assertEqual((data["status"], data["done"], data["total"]), ("running", 50, 150))
        self.assertEqual((data["per_second"], data["seconds_left"]), (5.0, 20))

    def test_it_cancels_a_queued_build_at_once(self):
        job, _ = request_production(None, self.case)
        cancelled = cancel_production(None, self.case)
        assert cancelled is not None
        self.assertEqual(cancelled.status, ProductionJob.Status.CANCELLED)
        run_production_job(job.pk)  # the queued task, delivered anyway
        job.refresh_from_db()
        self.assertEqual(job.status, ProductionJob.Status.CANCELLED)
        self.assertFalse(production_path(self.case).exists())
        self.assertIsNone(cancel_production(None, self.case))  # nothing left to cancel

    def test_it_stops_a_running_build_at_its_next_step_and_keeps_the_earlier_zip(self):
        first, _ = request_production(None, self.case)
        run_production_job(first.pk)
        earlier = production_path(self.case).read_bytes()
        job, _ = request_production(None, self.case)
        real = production_jobs.export_case

        def cancelled_midway(case, out, progress):  # someone presses Cancel as it runs
            cancel_production(None, case)
            return real(case, out, progress=progress)

        with mock.patch.object(production_jobs, "export_case", cancelled_midway):
            run_production_job(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, ProductionJob.Status.CANCELLED)
        self.assertEqual(production_path(self.case).read_bytes(), earlier)
        self.assertEqual(list(production_path(self.case).parent.glob("*.partial")), [])

    def test_it_starts_a_build_again_after_its_worker_was_killed(self):
        job, _ = request_production(None, self.case)
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.RUNNING, attempts=1, done=3, total=5
        )
        with lease(f"production:{self.case.pk}", timedelta(minutes=1)):  # its worker still alive
            self.assertEqual(resume_abandoned(), [])
        self.assertEqual(resume_abandoned(), [job.pk])  # the lease lapsed: the worker died
        self.assertEqual(resume_abandoned(), [])  # a second worker's sweep: queued once
        run_production_job(job.pk)
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts, job.done), (ProductionJob.Status.DONE, 2, 5))
        self.assertTrue(production_path(self.case).exists())

    def test_it_starts_and_cancels_from_the_api_and_the_page(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        with mock.patch("civicsocial.records.api.build_production") as queued:
            started = self.client.post(f"/api/foil/{self.case.pk}/production")
        self.assertEqual(started.status_code, 202)
        self.assertEqual(started.json()["status"], "queued")
        queued.assert_called_once()
        again = self.client.post(f"/api/foil/{self.case.pk}/production").json()
        self.assertEqual(again["id"], started.json()["id"])  # one build at a time
        self.assertEqual(
            self.client.post(f"/api/foil/{self.case.pk}/production/cancel").json()["status"], "cancelled"
        )
        self.assertEqual(self.client.post(f"/api/foil/{self.case.pk}/production/cancel").status_code, 400)
        request_production(None, self.case)
        response = self.client.post(f"{self.url}production/cancel/")
        self.assertRedirects(response, self.url)
        self.assertEqual(self.case.production_jobs.first().status, ProductionJob.Status.CANCELLED)

    def test_it_validates_ownership(self):
        self.login(self.person(Role.RECORDS_OFFICER, agency="bravo"))
        self.assertEqual(self.client.post(f"/api/foil/{self.case.pk}/production").status_code, 404)
        self.assertEqual(self.client.post(f"/api/foil/{self.case.pk}/production/cancel").status_code, 404)
        request_production(None, self.case)
        self.assertEqual(self.client.post(f"{self.url}production/cancel/").status_code, 404)
        self.assertEqual(self.case.production_jobs.first().status, ProductionJob.Status.QUEUED)
