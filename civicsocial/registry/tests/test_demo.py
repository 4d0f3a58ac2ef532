"""`civicsocial load_demo`: the demo city, loaded once, never duplicated."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from civicsocial.policy.report import city_report
from civicsocial.registry.models import Account, Agency, Application, ApplicationStatus, Person


class DemoTestCase(TestCase):
    def test_it_loads_a_city_with_every_kind_of_record(self):
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("ods", out.getvalue())
        self.assertGreaterEqual(Agency.objects.count(), 10)
        self.assertGreaterEqual(Account.objects.count(), 40)
        self.assertGreaterEqual(Person.objects.count(), 60)
        self.assertGreaterEqual(len(set(Account.objects.values_list("platform", flat=True))), 4)
        states = set(Application.objects.values_list("status", flat=True))
        self.assertEqual(states, set(ApplicationStatus.values))
        report = city_report(Agency.objects.all())
        self.assertGreaterEqual(report.compliant_agencies, 1)
        self.assertLess(report.compliant_agencies, len(report.agencies))

    def test_it_changes_nothing_when_run_twice(self):
        call_command("load_demo", stdout=StringIO())
        counts = (Agency.objects.count(), Account.objects.count(), Person.objects.count())
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("already loaded", out.getvalue())
        self.assertEqual(counts, (Agency.objects.count(), Account.objects.count(),
                                  Person.objects.count()))
