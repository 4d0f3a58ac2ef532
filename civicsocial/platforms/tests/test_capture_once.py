"""One capture run (P25, P27): posts, replies, comments and the profile reach the
archive; edits and removals become versions; nothing is stored twice; failures are
recorded on the account, not raised."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.utils import timezone

from civicsocial.platforms.adapters.base import ReadResult
from civicsocial.platforms.adapters.bluesky import POST, now_iso
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.platforms.capture import capture_account, capture_due, parse_lines
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.models import CaptureState
from civicsocial.platforms.tests.bluesky import adapter, new_account, registered_account
from civicsocial.policy.models import BrandingAudit
from civicsocial.records.announce import archive_and_announce
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, Change, ItemVersion
from civicsocial.testing import BaseTestCase


class CaptureTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account, self.city = registered_account(self)
        self.resident = adapter(*new_account("resident"))

    def items(self) -> dict[str, ArchivedItem]:
        return {i.platform_id: i for i in ArchivedItem.objects.filter(stream__account=self.account)}

    def test_it_archives_posts_comments_replies_and_the_profile(self):
        post = self.city.publish("Leaf pickup starts Monday", "c1-post")
        comment = self.resident.publish("Not on my street", "c1-comment", reply_to=post.item_id)
        reply = self.city.publish("Which street?", "c1-reply", reply_to=comment.item_id)
        report = capture_account(self.account)
        self.assertTrue(report.ok, report.error)
        items = self.items()
        self.assertEqual({items[post.item_id].kind, items[comment.item_id].kind,
                          items[reply.item_id].kind}, {"post", "comment", "reply"})
        self.assertEqual(sum(1 for i in items.values() if i.kind == "profile"), 1)
        state = CaptureState.objects.get(account=self.account)
        self.assertIsNotNone(state.last_success_at)
        self.assertEqual(state.last_error, "")
        self.assertEqual(state.versions_archived, 4)
        self.assertGreaterEqual(state.last_lag_seconds, 0)
        audit = BrandingAudit.objects.get(account=self.account)  # P8 on the new snapshot
        self.assertIn("no profile picture", audit.failures)
        self.assertTrue(verify().ok)

    def test_it_stores_nothing_twice(self):
        self.city.publish("Only once", "c2-post")
        capture_account(self.account)
        versions = ItemVersion.objects.count()
        CaptureState.objects.filter(account=self.account).update(cursor="")  # reread all
        second = capture_account(self.account)
        self.assertTrue(second.ok)
        self.assertEqual(ItemVersion.objects.count(), versions)
        self.assertEqual(second.counts.get("created", 0), 0)

    def test_it_keeps_an_edit_and_a_removal_as_new_versions(self):
        post = self.city.publish("Pool opens at 9", "c3-post")
        comment = self.resident.publish("Great!", "c3-comment", reply_to=post.item_id)
        capture_account(self.account)
        rkey = post.item_id.rsplit("/", 1)[1]
        self.city._call(lambda c: c.com.atproto.repo.put_record(
            {"repo": self.city.did, "collection": POST, "rkey": rkey,
             "record": {"$type": POST, "text": "Pool opens at 10", "createdAt": now_iso()}}))
        self.resident.delete(comment.item_id)
        report = capture_account(self.account)
        self.assertEqual(report.counts.get("edited"), 1)
        self.assertEqual(report.counts.get("deleted"), 1)
        items = self.items()
        self.assertTrue(items[comment.item_id].deleted)
        changes = list(ItemVersion.objects.filter(item=items[post.item_id])
                       .order_by("version_no").values_list("change", flat=True))
        self.assertEqual(changes, [Change.CREATED, Change.EDITED])
        texts = list(ItemVersion.objects.filter(item=items[post.item_id]).order_by("version_no")
                     .values_list("content__text", flat=True))
        self.assertEqual(texts, ["Pool opens at 9", "Pool opens at 10"])  # earlier content stays
        self.assertTrue(verify().ok)

    def test_it_never_calls_removed_what_a_stream_archived_during_the_listing(self):
        post = self.city.publish("Storm update", "c5-post")
        capture_account(self.account)
        CaptureState.objects.filter(account=self.account).update(cursor="")  # list it all again
        adapter = adapter_for(self.account)
        listing = adapter.read_since

        def read_since(cursor: str) -> ReadResult:
            result = listing(cursor)  # the listing is taken; then the firehose archives a reply
            late = self.resident.publish("Power is out here", "c5-late", reply_to=post.item_id)
            archive_and_announce(parse_lines([adapter.capture_of(
                self.resident.did, late.item_id, None,
                {"$type": POST, "text": "Power is out here", "createdAt": now_iso(),
                 "reply": {"root": {"uri": post.item_id}, "parent": {"uri": post.item_id}}})],
                self.account.handle)[0])
            self.late = late.item_id
            return result

        with mock.patch.object(adapter, "read_since", read_since):
            report = capture_account(self.account, adapter)
        self.assertTrue(report.ok, report.error)
        self.assertEqual(report.counts.get("deleted", 0), 0)
        self.assertFalse(self.items()[self.late].deleted)

    def test_it_records_a_failure_on_the_account_and_keeps_the_cursor(self):
        self.city.publish("Before", "c4-post")
        capture_account(self.account)
        cursor = CaptureState.objects.get(account=self.account).cursor
        with mock.patch.dict(os.environ, {secret_variable("bluesky", self.account.handle): "wrong"}):
            report = capture_account(self.account)
        self.assertFalse(report.ok)
        state = CaptureState.objects.get(account=self.account)
        self.assertIn("credentials", state.last_error)
        self.assertEqual(state.cursor, cursor)
        self.assertFalse(state.is_stale(timezone.now()))
        self.assertTrue(state.is_stale(timezone.now() + timedelta(hours=2)))

    def test_it_names_the_missing_secret(self):
        with mock.patch.dict(os.environ, {secret_variable("bluesky", self.account.handle): ""}):
            report = capture_account(self.account)
        self.assertIn(secret_variable("bluesky", self.account.handle), report.error)
        self.assertIn(f"civicsocial vault set bluesky:{self.account.handle}", report.error)

    def test_it_captures_only_accounts_that_are_due(self):
        capture_due()
        self.city.publish("Not yet", "c6-post")
        self.assertEqual(capture_due(), [])  # interval (5 minutes) not passed
        reports = capture_due(timezone.now() + timedelta(minutes=6))
        self.assertEqual([r.account for r in reports], [self.account.handle])

    def test_it_follows_the_city_interval_unless_the_account_has_its_own(self):
        capture_due()
        with self.settings(CAPTURE_INTERVAL_SECONDS=60):
            self.assertEqual(capture_due(timezone.now() + timedelta(seconds=30)), [])
            self.assertEqual(len(capture_due(timezone.now() + timedelta(seconds=61))), 1)
            CaptureState.objects.filter(account=self.account).update(interval_seconds=3600)
            self.assertEqual(capture_due(timezone.now() + timedelta(minutes=30)), [])
            self.assertEqual(len(capture_due(timezone.now() + timedelta(minutes=61))), 1)

    def test_it_prints_a_table_from_the_command_line(self):
        self.city.publish("From the command line", "c7-post")
        out = StringIO()
        call_command("capture", "--once", "--account", self.account.handle, stdout=out)
        self.assertIn(self.account.handle, out.getvalue())
        self.assertIn("ok", out.getvalue())
        with self.assertRaisesRegex(CommandError, "no active account"):
            call_command("capture", "--once", "--account", "nobody.test", stdout=StringIO())

    def test_it_runs_due_captures_from_the_worker(self):
        from civicsocial.platforms.tasks import capture_due_accounts

        post = self.city.publish("From the worker", "c8-post")
        capture_due_accounts.call_local()
        self.assertIn(post.item_id, self.items())
