"""Issue 17: the archive's duties with several workers. A day is sealed once; a FOIL
production asked for twice at once is one job, built by one worker, whole."""

from __future__ import annotations

import zipfile
from datetime import date, timedelta

from django.utils import timezone

from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.integrity import seal_days, verify
from civicsocial.records.models import ArchivedItem, DailySeal, ProductionJob
from civicsocial.records.production_check import verify_production
from civicsocial.records.production_jobs import production_path, request_production, run_production_job
from civicsocial.records.tests.helpers import archive, line
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
