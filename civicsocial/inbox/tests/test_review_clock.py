"""The daily review clock (P21): an account not reviewed for 24 hours is overdue, shown
red, and its moderators and central contact are e-mailed once per lapse; a review starts
the clock again. A chart shows coverage per day and the wait from capture to review."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from civicsocial.inbox import review
from civicsocial.inbox.models import AccountReview, InboxEntry, InboxState
from civicsocial.inbox.services import triage_new_items
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Account, Role
from civicsocial.testing import BaseTestCase, freeze_clock


class ReviewClockTestCase(BaseTestCase):
    def setUp(self) -> None:
        freeze_clock(self)  # a review made "now" must chart on the day the page calls today
        super().setUp()
        self.account = self.approved_account()
        self.other = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                           url="https://bsky.example/bravo_news")
        self.moderator = self.person(Role.MODERATOR)
        self.contact = self.person(Role.VIEWER)
        self.alpha.central_contact = self.contact
        self.alpha.save()
        archive(line("c-1", account="@alpha_news", text="When does the pool open?"))
        triage_new_items()
        mail.outbox.clear()

    def later(self, hours: float) -> timezone.datetime:
        return self.account.registered_at + timedelta(hours=hours)

    def clock(self, account: Account, hours: float) -> review.Clock:
        return next(c for c in review.clocks(Account.objects.all(), self.later(hours))
                    if c.account == account)

    def test_it_is_overdue_after_24_hours_without_a_review(self):
        self.assertFalse(self.clock(self.account, 23.9).overdue)
        self.assertTrue(self.clock(self.account, 24.1).overdue)
        self.assertEqual(self.clock(self.account, 24.1).new_items, 1)

    def test_it_starts_again_when_a_moderator_reviews(self):
        done = review.mark_reviewed(self.moderator, self.account, self.later(20))
        self.assertEqual(done.items_seen, 1)
        entry = InboxEntry.objects.get()
        self.assertEqual(entry.state, InboxState.REVIEWED)
        self.assertEqual(entry.reviewed_at, self.later(20))
        self.assertFalse(self.clock(self.account, 43).overdue)
        self.assertTrue(self.clock(self.account, 44.5).overdue)

    def test_it_alerts_moderators_and_the_central_contact_once_per_lapse(self):
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            sent = review.send_overdue_alerts(self.later(25))
        alerts = {a.account: a for a in sent}
        to = set(mail.outbox[[m.subject for m in mail.outbox].index(
            "Overdue: @alpha_news has not been reviewed")].to)
        self.assertEqual(to, {self.moderator.email, self.contact.email})
        self.assertEqual(set(alerts[self.account].recipients), to)
        self.assertEqual(review.send_overdue_alerts(self.later(26)), [])  # same lapse: once
        review.mark_reviewed(self.moderator, self.account, self.later(27))
        self.assertEqual([a.account for a in review.send_overdue_alerts(self.later(52))],
                         [self.account])  # a new lapse alerts again

    def test_it_runs_from_the_command_line(self):
        out = StringIO()
        AccountReview.objects.create(account=self.other, reviewer=self.person(Role.MODERATOR, "bravo"),
                                     reviewed_at=timezone.now() - timedelta(hours=30))
        call_command("reviewalerts", "--list", stdout=out)
        self.assertIn("alerted 1 people: @bravo_news", out.getvalue())
        self.assertIn("OVERDUE  @bravo_news", out.getvalue())
        self.assertIn("ok       @alpha_news", out.getvalue())

    def test_it_shows_overdue_accounts_red(self):
        AccountReview.objects.create(account=self.account, reviewer=self.moderator,
                                     reviewed_at=timezone.now() - timedelta(hours=30))
        page = self.login(self.moderator).get("/inbox/")
        self.assertContains(page, '<tr class="overdue">')
        self.assertContains(page, "overdue since")

    def test_it_marks_an_account_reviewed_from_the_page(self):
        response = self.login(self.moderator).post(f"/inbox/accounts/{self.account.pk}/reviewed/",
                                                   {"next": "https://evil.example/"})
        self.assertEqual(response["Location"], "/inbox/")  # never off the site
        self.assertEqual(AccountReview.objects.get().account, self.account)
        self.assertEqual(InboxEntry.objects.get().state, InboxState.REVIEWED)

    def test_it_charts_coverage_and_the_wait_for_a_first_review(self):
        review.mark_reviewed(self.moderator, self.account, timezone.now())
        page = self.login(self.moderator).get("/inbox/reviews/")
        self.assertContains(page, 'id="coverage-chart"')
        self.assertContains(page, 'id="wait-chart"')
        self.assertContains(page, "1 review</title>")
        days, rows = review.coverage(Account.objects.filter(pk=self.account.pk))
        self.assertEqual(len(days), 14)
        self.assertEqual(rows[0].days[-1][1], 1)

    def test_it_validates_ownership(self):
        bravo = self.login(self.person(Role.MODERATOR, "bravo"))
        self.assertNotContains(bravo.get("/inbox/reviews/"), "@alpha_news")
        self.assertEqual(bravo.post(f"/inbox/accounts/{self.account.pk}/reviewed/").status_code, 404)
        self.assertFalse(AccountReview.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            review.send_overdue_alerts(self.later(25))
        bravo_mail = [m for m in mail.outbox if "@bravo_news" in m.subject]
        self.assertNotIn(self.moderator.email, bravo_mail[0].to)
