"""`civicsocial load_demo`: the demo city, loaded once, never duplicated."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from civicsocial.inbox.models import AccountReview
from civicsocial.inbox.review import clocks
from civicsocial.ops.demo_city import DEMO_LOGINS, DEMO_PASSWORD
from civicsocial.policy.report import city_report
from civicsocial.registry.models import Account, Agency, Application, ApplicationStatus, Person


class DemoTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.first_run = StringIO()
        call_command("load_demo", stdout=cls.first_run)

    def test_it_loads_a_city_with_every_kind_of_record(self):
        self.assertIn("Loaded the demo city", self.first_run.getvalue())
        for login in DEMO_LOGINS:  # every advertised login exists and can log in
            person = Person.objects.get(username=login.username)
            self.assertTrue(person.check_password(DEMO_PASSWORD))
        self.assertGreaterEqual(Agency.objects.count(), 10)
        self.assertGreaterEqual(Account.objects.count(), 40)
        self.assertGreaterEqual(Person.objects.count(), 60)
        self.assertGreaterEqual(len(set(Account.objects.values_list("platform", flat=True))), 4)
        states = set(Application.objects.values_list("status", flat=True))
        self.assertEqual(states, set(ApplicationStatus.values))
        report = city_report(Agency.objects.all())
        self.assertGreaterEqual(report.compliant_agencies, 1)
        self.assertLess(report.compliant_agencies, len(report.agencies))
        # P21: two weeks of reviews to chart; some accounts reviewed on time, some overdue.
        overdue = [c.overdue for c in clocks(Account.objects.all())]
        self.assertTrue(any(overdue) and not all(overdue))
        self.assertGreater(AccountReview.objects.count(), 100)

    def test_it_loads_publishing_at_every_stage(self):
        """Issue 19: a month sent, posts coming up, each queue step, one sent back, one flagged."""
        from civicsocial.policy.checks import run_checks
        from civicsocial.publishing.models import Draft, DraftStatus, OutsidePost
        from civicsocial.publishing.queries import approval_queue

        statuses = {s: Draft.objects.filter(status=s).count() for s in DraftStatus.values}
        self.assertGreater(statuses["sent"], 30)
        self.assertGreaterEqual(statuses["approved"], 6)
        self.assertGreaterEqual(statuses["in_review"], 2)
        self.assertGreaterEqual(statuses["rejected"], 1)
        self.assertGreaterEqual(statuses["writing"], 1)
        self.assertTrue(approval_queue(Person.objects.get(username="dot-approver")))
        self.assertTrue(approval_queue(Person.objects.get(username="dot-counsel")))  # step 2
        outside = OutsidePost.objects.select_related("account__agency").get()
        self.assertEqual(outside.incident.status, "suspected")
        [p5] = [r for r in run_checks(outside.account.agency) if r.title.startswith("Every official post")]
        self.assertFalse(p5.passed)

    def test_it_changes_nothing_when_run_twice(self):
        counts = (Agency.objects.count(), Account.objects.count(), Person.objects.count(),
                  AccountReview.objects.count())
        out = StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("already loaded", out.getvalue())
        self.assertIn("dot-agency-admin", out.getvalue())  # logins are shown every time
        self.assertEqual(counts, (Agency.objects.count(), Account.objects.count(),
                                  Person.objects.count(), AccountReview.objects.count()))
