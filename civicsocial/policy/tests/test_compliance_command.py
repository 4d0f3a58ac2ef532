"""`civicsocial compliance [--agency SLUG] --format json|table`."""

import json
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError

from civicsocial.testing import BaseTestCase


class ComplianceCommandTestCase(BaseTestCase):
    def run_command(self, **options):
        out = StringIO()
        call_command("compliance", stdout=out, **options)
        return out.getvalue()

    def test_it_prints_json_per_agency_and_citywide(self):
        data = json.loads(self.run_command(format="json"))
        self.assertEqual([a["slug"] for a in data["agencies"]], ["alpha", "bravo"])
        check = data["agencies"][0]["checks"][0]
        self.assertEqual(set(check), {"pid", "title", "passed", "reason", "details", "awaiting", "state"})
        self.assertEqual(data["citywide"]["agencies"], 2)
        self.assertEqual(len(data["citywide"]["checks"]), 15)

    def test_it_limits_the_report_to_one_agency(self):
        data = json.loads(self.run_command(format="json", agency="bravo"))
        self.assertEqual([a["slug"] for a in data["agencies"]], ["bravo"])

    def test_it_prints_a_table(self):
        out = self.run_command(format="table")
        self.assertIn("P5", out)
        self.assertIn("Citywide: 0 of 2 agencies", out)

    def test_it_names_known_agencies_for_an_unknown_one(self):
        with self.assertRaisesMessage(CommandError, "Known: alpha, bravo"):
            self.run_command(agency="nope")

    def test_it_exits_non_zero_on_request_when_not_compliant(self):
        with self.assertRaises(SystemExit):
            self.run_command(format="json", fail_on_noncompliance=True)
