"""P25: disposal only past retention, never under hold; each disposal recorded and the
chain still verifies."""

from datetime import date, timedelta

from django.db import DatabaseError, transaction
from django.test import TestCase

from civicsocial.records.foil import open_case
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, Disposal, RetentionSchedule, VersionContent
from civicsocial.records.retention import dispose_expired, place_hold
from civicsocial.records.search.service import search
from civicsocial.records.tests.helpers import T0, archive, line


class RetentionTestCase(TestCase):
    def setUp(self) -> None:
        archive(line("c1", text="old pothole"), line("c2", text="old park"),
                line("p1", kind="post", text="old post"))
        RetentionSchedule.objects.create(kind="comment", keep_days=30, authority="test item 1")
        # The items were captured at T0; each test passes its own "now" (issue 11).
        self.later = T0 + timedelta(days=400)

    def test_it_keeps_everything_before_retention_runs_out(self):
        self.assertEqual(dispose_expired(None, now=T0 + timedelta(days=29)).disposed, 0)
        self.assertEqual(VersionContent.objects.count(), 3)
        self.assertEqual(dispose_expired(None, now=T0 + timedelta(days=31), dry_run=True).disposed, 2)

    def test_it_disposes_of_content_but_keeps_the_chain_verifiable(self):
        report = dispose_expired(None, now=self.later)
        self.assertEqual(report.disposed, 2)  # the comments; posts have no schedule
        self.assertEqual(Disposal.objects.count(), 2)
        self.assertEqual(VersionContent.objects.count(), 1)
        self.assertTrue(verify().ok)
        self.assertEqual({h.item_id for h in search("old")}, {"p1"})

    def test_it_never_disposes_of_held_items(self):
        place_hold(None, ArchivedItem.objects.get(platform_id="c1"), "litigation")
        open_case(None, "Jane", date(2026, 11, 20), ["park"])
        report = dispose_expired(None, now=self.later)
        self.assertEqual((report.disposed, report.held), (0, 2))

    def test_it_can_show_what_it_would_do(self):
        report = dispose_expired(None, now=self.later, dry_run=True)
        self.assertEqual(report.disposed, 2)
        self.assertEqual(VersionContent.objects.count(), 3)

    def test_the_database_refuses_removal_without_a_recorded_disposal(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            VersionContent.objects.all().delete()
        self.assertEqual(VersionContent.objects.count(), 3)
