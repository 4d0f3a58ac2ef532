"""Every incoming item that reaches the archive lands in its account's inbox with its
triage labels and reasons, once (P21-P24, P26)."""

from __future__ import annotations

from unittest import mock

from civicsocial.inbox.models import InboxEntry, InboxState
from civicsocial.inbox.services import triage_captured, triage_new_items
from civicsocial.records.tests.helpers import archive, line
from civicsocial.testing import BaseTestCase


class TriageOnCaptureTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()  # @alpha_news
        self.other = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                           url="https://bsky.example/bravo_news")

    def test_it_puts_comments_in_the_inbox_with_labels_and_reasons(self):
        archive(line("post-1", account="@alpha_news", kind="post", text="Paving on Atlantic Ave"),
                line("c-1", account="@alpha_news", parent_id="post-1",
                     text="Huge pothole at Atlantic and Flatbush, a cyclist almost went down"),
                line("c-2", account="@alpha_news", parent_id="post-1", text="Thank you!"))
        self.assertEqual(triage_new_items(), 2)
        hazard = InboxEntry.objects.get(item__platform_id="c-1")
        self.assertEqual(hazard.account, self.account)
        self.assertIn("dangerous_condition", hazard.labels)
        self.assertEqual(hazard.state, InboxState.HELD)  # possible legal notice (P24)
        self.assertIn("pothole", hazard.reasons["dangerous_condition"])
        self.assertEqual(InboxEntry.objects.get(item__platform_id="c-2").labels, [])
        self.assertEqual(InboxEntry.objects.get(item__platform_id="c-2").state, InboxState.NEW)
        self.assertFalse(InboxEntry.objects.filter(item__platform_id="post-1").exists())  # our own post

    def test_it_triages_each_item_once(self):
        archive(line("c-3", account="@alpha_news", text="FOIL: all emails about the busway"))
        self.assertEqual(triage_new_items(), 1)
        archive(line("c-3", account="@alpha_news", minutes=5, text="FOIL: all emails about the busway!"))
        self.assertEqual(triage_new_items(), 0)
        self.assertEqual(InboxEntry.objects.get().labels, ["records_request"])

    def test_it_validates_ownership(self):
        archive(line("c-4", account="@bravo_news", text="No heat in our building since Sunday"),
                line("c-5", account="@someone_unregistered", text="No heat here either"))
        triage_new_items()
        self.assertEqual([i.item.platform_id for i in InboxEntry.objects.filter(account=self.other)], ["c-4"])
        self.assertFalse(InboxEntry.objects.filter(account=self.account).exists())
        self.assertFalse(InboxEntry.objects.filter(item__platform_id="c-5").exists())  # no account: no inbox

    def test_it_triages_only_what_a_capture_just_archived(self):
        archive(line("c-6", account="@alpha_news", text="Old comment nobody triaged yet"))
        result = archive(line("c-7", account="@alpha_news", text="Brand new comment"))
        self.assertEqual(triage_new_items(among=result.new_items), 1)
        self.assertEqual(list(InboxEntry.objects.values_list("item__platform_id", flat=True)), ["c-7"])
        self.assertEqual(triage_new_items(), 1)  # the sweep takes the rest

    def test_it_never_stops_a_capture_when_triage_fails(self):
        result = archive(line("c-8", account="@alpha_news", text="Anything"))
        with mock.patch("civicsocial.inbox.services.triage_many", side_effect=RuntimeError("boom")), \
                self.assertLogs("civicsocial.inbox.services", "ERROR"):
            triage_captured(result.new_items)
        self.assertEqual(triage_new_items(), 1)  # the next sweep gets it
