"""P26: FOIL cases, the five-business-day acknowledgment clock, and holds."""

import os
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from tempfile import mkdtemp

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from civicsocial.records.foil import (
    business_days_after,
    business_days_left,
    case_item_ids,
    held_item_ids,
    is_held,
    open_case,
    set_status,
)
from civicsocial.records.models import ArchivedItem, FoilCase
from civicsocial.records.tests.helpers import archive, line
from civicsocial.testing import freeze_clock


class FoilClockTestCase(TestCase):
    def test_it_counts_business_days_over_weekends_and_ny_holidays(self):
        # Friday 20 Nov 2026; Thanksgiving (26th) is skipped, the day after is not a holiday.
        self.assertEqual(business_days_after(date(2026, 11, 20), 5), date(2026, 11, 30))
        # Lincoln's Birthday (12 Feb) is a New York public holiday.
        self.assertEqual(business_days_after(date(2026, 2, 11), 1), date(2026, 2, 13))
        # Election Day (3 Nov) is one too.
        self.assertEqual(business_days_after(date(2026, 11, 2), 1), date(2026, 11, 4))

    def test_it_does_not_count_commemorations_as_days_off(self):
        # Susan B. Anthony Day (15 Feb 2027, a Monday) is listed but is a working day.
        self.assertEqual(business_days_after(date(2027, 2, 12), 1), date(2027, 2, 16))

    def test_it_reports_days_left_and_overdue(self):
        case = open_case(None, "Jane Q. Public", date(2026, 11, 20))
        self.assertEqual(business_days_left(case, date(2026, 11, 20)), 5)
        self.assertEqual(business_days_left(case, date(2026, 11, 30)), 0)
        self.assertEqual(business_days_left(case, date(2026, 12, 2)), -2)

    def test_it_refuses_bad_input(self):
        freeze_clock(self)  # "tomorrow" must still be tomorrow when open_case reads the date
        with self.assertRaises(ValidationError):
            open_case(None, " ", date(2026, 11, 20))
        with self.assertRaises(ValidationError):
            open_case(None, "Jane", timezone.localdate() + timedelta(days=1))  # in the future
        with self.assertRaises(ValidationError):
            open_case(None, "Jane", date(2026, 11, 20), ['"unclosed'])
        self.assertFalse(FoilCase.objects.exists())


class FoilHoldsTestCase(TestCase):
    def setUp(self) -> None:
        archive(line("c1", text="pothole on Main"), line("c2", text="nice park"),
                line("c3", text="another pothole"))

    def test_it_holds_what_an_open_case_covers(self):
        case = open_case(None, "Jane", date(2026, 11, 20), ["pothole"])
        ids = {ArchivedItem.objects.get(platform_id=i).pk for i in ("c1", "c3")}
        self.assertEqual(case_item_ids(case), ids)
        self.assertEqual(held_item_ids(), ids)
        held = {i.platform_id for i in ArchivedItem.objects.all() if is_held(i)}
        self.assertEqual(held, {"c1", "c3"})
        set_status(None, case, FoilCase.Status.CLOSED, "produced")
        self.assertEqual(held_item_ids(), set())
        self.assertFalse(any(is_held(i) for i in ArchivedItem.objects.all()))

    def test_it_opens_a_case_from_the_command_line_and_prints_its_id_last(self):
        out = StringIO()
        call_command("foil", "open", "--requester", "Jane", "--received", "2026-11-20",
                     "--query", "pothole", stdout=out)
        last = out.getvalue().strip().splitlines()[-1]
        case = FoilCase.objects.get(pk=int(last))
        self.assertEqual(case.searches.get().query, "pothole")

    def test_it_answers_a_bad_date_on_the_command_line_with_a_usage_error(self):
        database = Path(mkdtemp()) / "cli.sqlite3"
        env = {**os.environ, "CIVICSOCIAL_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run([sys.executable, "-m", "civicsocial.cli", "foil", "open",
                                 "--requester", "Jane", "--received", "2026-13-01"],
                                env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 2)
        self.assertIn("'2026-13-01' is not a date (YYYY-MM-DD)", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertFalse(database.exists())  # told before the database was touched
