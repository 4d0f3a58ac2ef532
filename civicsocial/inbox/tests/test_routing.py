"""What follows at once from a label: a dangerous condition is held as possible legal
notice and counsel is told (P24); a records request opens a FOIL case (P26)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core import mail
from django.utils import timezone

from civicsocial.inbox import routing
from civicsocial.inbox.models import InboxEntry, InboxState
from civicsocial.inbox.services import triage_new_items
from civicsocial.records import foil
from civicsocial.records.models import FoilCase, LegalHold
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class RoutingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()  # @alpha_news
        self.other = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                           url="https://bsky.example/bravo_news")
        mail.outbox.clear()

    def test_it_holds_a_dangerous_condition_as_legal_notice_and_tells_counsel(self):
        archive(line("c-1", account="@alpha_news", author="resident.bsky",
                     text="There is a deep pothole at 120 Flatbush Ave, my bike went down"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        entry = InboxEntry.objects.get()
        self.assertEqual(entry.state, InboxState.HELD)
        self.assertEqual(entry.location, "120 Flatbush Ave")
        hold = LegalHold.objects.get(item=entry.item)
        self.assertIn("P24", hold.reason)
        self.assertIn(entry.item.first_captured_at.isoformat(), hold.reason)
        self.assertTrue(foil.is_held(entry.item))
        counsel = self.person(Role.COUNSEL)
        [message] = mail.outbox
        self.assertEqual(message.to, [counsel.email])
        self.assertIn(entry.item.first_captured_at.isoformat(timespec="microseconds"), message.body)
        self.assertIn("120 Flatbush Ave", message.body)

    def test_it_keeps_a_held_item_held_when_a_moderator_marks_it(self):
        archive(line("c-1", account="@alpha_news", text="Deep pothole at 120 Flatbush Ave, I fell"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        entry = InboxEntry.objects.get()
        moderator = self.login(self.person(Role.MODERATOR))
        for state in (InboxState.REVIEWED, InboxState.ANSWERED, InboxState.NEW):
            moderator.post(f"/inbox/{entry.pk}/state/", {"state": state})
            entry.refresh_from_db()
            self.assertEqual(entry.state, InboxState.HELD, state)
        page = moderator.get("/inbox/", {"state": InboxState.HELD})
        self.assertContains(page, f"/inbox/{entry.pk}/")

    def test_it_opens_a_foil_case_for_a_records_request(self):
        archive(line("c-2", account="@alpha_news", author="reporter.bsky",
                     text="Under FOIL I request all emails about the busway pilot"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        entry = InboxEntry.objects.get()
        case = FoilCase.objects.get(source_item=entry.item)
        self.assertEqual(case.agency, self.alpha)
        self.assertEqual(case.requester, "reporter.bsky")
        self.assertEqual(case.received_on, timezone.localdate(entry.item.first_captured_at))
        self.assertEqual(case.acknowledge_by, foil.business_days_after(case.received_on, 5))
        self.assertIn(entry.item.pk, foil.case_item_ids(case))
        officer = self.person(Role.RECORDS_OFFICER)
        self.assertEqual([m.to for m in mail.outbox], [[officer.email]])
        self.assertIn(case.number, mail.outbox[0].subject)

    def test_it_opens_a_case_received_on_the_citys_date_in_the_evening(self):
        # 7:30 PM in New York is already the next day in UTC: the case was received today.
        with time_machine.travel(datetime(2026, 12, 3, 0, 30, tzinfo=UTC), tick=False):
            evening = "2026-12-03T00:30:00+00:00"
            archive(line("c-4", account="@alpha_news", author="reporter.bsky", created_at=evening,
                         captured_at=evening, text="Under FOIL I request all emails about the busway pilot"))
            with self.captureOnCommitCallbacks(execute=True):
                triage_new_items()
            case = FoilCase.objects.get()
        self.assertEqual(case.received_on, date(2026, 12, 2))

    def test_it_routes_each_item_once(self):
        archive(line("c-3", account="@alpha_news", text="FOIL request: all emails about the busway"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        archive(line("c-3", account="@alpha_news", minutes=5,
                     text="FOIL request: all emails about the busway (edited)"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        self.assertEqual(FoilCase.objects.count(), 1)

    def test_it_tells_counsel_once_when_an_item_is_routed_again(self):
        archive(line("c-9", account="@alpha_news", text="Open manhole on 5 Main St, no cones"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        entry = InboxEntry.objects.select_related("item", "account__agency").get()
        with self.captureOnCommitCallbacks(execute=True):
            routing.route([entry], {})  # as a second, concurrent triage would
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(LegalHold.objects.filter(item=entry.item).count(), 1)

    def test_it_does_nothing_for_a_complaint(self):
        archive(line("c-4", account="@alpha_news", text="The new schedule is terrible, do better"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        self.assertEqual(InboxEntry.objects.get().state, InboxState.NEW)
        self.assertFalse(LegalHold.objects.exists() or FoilCase.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_it_validates_ownership(self):
        archive(line("c-5", account="@bravo_news", text="Sinkhole opening at 5 Main St, cars swerving"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        [message] = mail.outbox
        self.assertEqual(message.to, [self.person(Role.COUNSEL, "bravo").email])
        self.assertNotIn(self.person(Role.COUNSEL).email, message.to)

    def test_it_keeps_received_on_from_capture_not_today(self):
        archive(line("c-6", account="@alpha_news", captured_at="2026-01-05T10:00:00Z",
                     text="Requesting records under the Freedom of Information Law: permits 2025"))
        with self.captureOnCommitCallbacks(execute=True):  # mail goes out on commit
            triage_new_items()
        self.assertEqual(FoilCase.objects.get().received_on, date(2026, 1, 5))
