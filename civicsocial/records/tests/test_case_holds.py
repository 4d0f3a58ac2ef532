"""Issue 12, finding 4: what FOIL cases' saved searches hold is written down when the
searches change and as new versions arrive, so asking whether an item is held costs a few
indexed lookups however many cases and searches there are, and holds exactly what running
every search would."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from civicsocial.records import foil, holds
from civicsocial.records.models import ArchivedItem, CaseHold, FoilCase
from civicsocial.records.tests.helpers import archive, line


class CaseHoldsTestCase(TestCase):
    def setUp(self) -> None:
        archive(line("c1", text="pothole on Main"), line("c2", text="nice park"))
        self.case = foil.open_case(None, "Jane", date(2026, 11, 20), ["pothole"])

    def held(self) -> set[str]:
        return {i.platform_id for i in ArchivedItem.objects.all() if foil.is_held(i)}

    def test_it_holds_what_the_searches_find_when_the_case_opens(self):
        self.assertEqual(self.held(), {"c1"})

    def test_it_holds_items_that_arrive_or_change_after_the_case_opened(self):
        archive(line("c3", minutes=5, text="another pothole"))
        archive(line("c2", minutes=6, text="nice park, but a pothole by the gate"))  # an edit
        self.assertEqual(self.held(), {"c1", "c2", "c3"})

    def test_it_keeps_a_hold_when_an_edit_stops_matching(self):
        archive(line("c1", minutes=5, text="fixed now"))
        self.assertEqual(self.held(), {"c1"})

    def test_it_lifts_holds_on_closing_and_finds_again_on_reopening(self):
        foil.set_status(None, self.case, FoilCase.Status.CLOSED, "produced")
        self.assertEqual(self.held(), set())
        archive(line("c4", minutes=7, text="pothole while the case was closed"))
        foil.set_status(None, self.case, FoilCase.Status.OPEN, "appeal")
        self.assertEqual(self.held(), {"c1", "c4"})

    def test_it_answers_is_held_with_a_few_lookups_however_many_searches(self):
        for n in range(10):
            foil.open_case(None, f"Requester {n}", date(2026, 11, 20), [f"word{n}", "park"])
        item = ArchivedItem.objects.get(platform_id="c2")
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(foil.is_held(item))
        self.assertLessEqual(len(queries), 3)

    def test_it_holds_the_same_as_running_every_search(self):
        foil.attach_search(None, self.case, "park")
        archive(line("c5", minutes=9, text="park bench broken"))
        for case in FoilCase.objects.all():
            self.assertEqual(set(case.found.values_list("item_id", flat=True)),
                             holds.search_item_ids(case))
        self.assertEqual(foil.held_item_ids(), foil.held_item_ids(recheck=True))

    def test_writing_down_twice_changes_nothing(self):
        before = CaseHold.objects.count()
        holds.refresh_case(self.case)
        holds.hold_for_open_cases(list(ArchivedItem.objects.values_list("pk", flat=True)))
        self.assertEqual(CaseHold.objects.count(), before)
