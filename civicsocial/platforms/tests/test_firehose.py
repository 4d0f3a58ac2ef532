"""Live capture from the PDS firehose: posts, replies in the account's threads, edits
and deletions are archived as they happen; a consumer stopped and started again
resumes from its saved cursor with nothing lost or stored twice."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable
from unittest import mock

import pytest

from civicsocial.inbox.models import InboxEntry
from civicsocial.platforms.adapters.bluesky import POST, now_iso
from civicsocial.platforms.bluesky_stream import FirehoseConsumer
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.models import StreamCursor
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.platforms.tests.streams import run_until_stopped
from civicsocial.records import tasks
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, ItemVersion
from civicsocial.registry.models import Account
from civicsocial.testing import BaseTestCase


class FirehoseTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.network = shared_network()
        handle, password = new_account("live")
        self.account = self.approved_account(handle=handle, url=f"https://bsky.app/profile/{handle}")
        self.city = adapter(handle, password)
        self.resident = adapter(*new_account("resident"))
        self.stranger = adapter(*new_account("stranger"))
        patcher = mock.patch.dict(os.environ, {secret_variable("bluesky", handle): password,
                                               "CIVICSOCIAL_BLUESKY_SERVICE": self.network.pds})
        patcher.start()
        self.addCleanup(patcher.stop)

    def consume_until(self, done: Callable[[], bool], timeout: float = 30,
                      extra: list[Account] | None = None) -> FirehoseConsumer:
        """Run a consumer (it archives in this thread, so it shares the test's transaction)
        until done is true after a batch is archived."""
        consumer = FirehoseConsumer(self.network.pds, [*(extra or []), self.account])
        stop = threading.Event()
        original = consumer.flush

        def flush() -> None:
            original()
            if done():
                stop.set()

        consumer.flush = flush  # type: ignore[method-assign]
        run_until_stopped(consumer.run, stop, timeout)
        return consumer

    def archived(self, uri: str) -> ArchivedItem | None:
        return ArchivedItem.objects.filter(platform_id=uri, stream__account=self.account).first()

    def test_it_archives_posts_and_replies_as_they_happen(self):
        post = self.city.publish("Snow plows out tonight", "s1-post")
        comment = self.resident.publish("Finally", "s1-comment", reply_to=post.item_id)
        unrelated = self.stranger.publish("Unrelated", "s1-unrelated")
        self.consume_until(lambda: self.archived(comment.item_id) is not None)
        self.assertEqual(self.archived(post.item_id).kind, "post")
        self.assertEqual(self.archived(comment.item_id).kind, "comment")
        self.assertFalse(ArchivedItem.objects.filter(platform_id=unrelated.item_id).exists())
        self.assertTrue(verify().ok)

    def test_it_archives_edits_and_deletions(self):
        post = self.city.publish("Meeting at 6", "s2-post")
        comment = self.resident.publish("Where?", "s2-comment", reply_to=post.item_id)
        self.consume_until(lambda: self.archived(comment.item_id) is not None)
        rkey = post.item_id.rsplit("/", 1)[1]
        self.city._call(lambda c: c.com.atproto.repo.put_record(
            {"repo": self.city.did, "collection": POST, "rkey": rkey,
             "record": {"$type": POST, "text": "Meeting at 7", "createdAt": now_iso()}}))
        self.resident.delete(comment.item_id)
        self.consume_until(lambda: self.archived(comment.item_id).deleted)
        texts = list(ItemVersion.objects.filter(item__platform_id=post.item_id)
                     .order_by("version_no").values_list("content__text", flat=True))
        self.assertEqual(texts, ["Meeting at 6", "Meeting at 7"])

    def test_it_resumes_from_its_saved_cursor(self):
        first = self.city.publish("Before the restart", "s3-first")
        consumer = self.consume_until(lambda: self.archived(first.item_id) is not None)
        saved = StreamCursor.objects.get(service=self.network.pds).seq
        self.assertEqual(saved, consumer.cursor.seq)
        second = self.city.publish("After the restart", "s3-second")
        started = time.monotonic()
        self.consume_until(lambda: self.archived(second.item_id) is not None)
        self.assertLess(time.monotonic() - started, 30)
        self.assertGreater(StreamCursor.objects.get(service=self.network.pds).seq, saved)
        self.assertEqual(ItemVersion.objects.filter(item__platform_id=first.item_id).count(), 1)

    def test_it_goes_on_when_an_account_is_not_on_the_service(self):
        elsewhere = self.approved_account(handle="@notonthispds.test", agency=self.bravo,
                                          url="https://bsky.app/profile/notonthispds.test")
        post = self.city.publish("Still captured", "s4-post")
        consumer = self.consume_until(lambda: self.archived(post.item_id) is not None,
                                      extra=[elsewhere])
        self.assertIsNone(consumer.failure)
        self.assertEqual([a.pk for a, _ in consumer.readers.values()], [self.account.pk])


    def test_it_archives_a_burst_in_few_transactions_each_with_its_cursor(self):
        post = self.city.publish("Water main break on 5th Ave", "s5-post")
        replies = [self.resident.publish(f"No water here {n}", f"s5-{n}", reply_to=post.item_id)
                   for n in range(60)]
        batches: list[int] = []
        real = FirehoseConsumer.flush

        def flush(consumer: FirehoseConsumer) -> None:
            if consumer._pending:
                batches.append(len(consumer._pending))
            real(consumer)
            if consumer._pending_seq is None and batches:  # saved with what it covers
                self.assertEqual(StreamCursor.objects.get(service=self.network.pds).seq,
                                 consumer.cursor.seq)

        with mock.patch.object(FirehoseConsumer, "flush", flush):
            self.consume_until(lambda: all(self.archived(r.item_id) for r in replies))
        self.assertEqual(sum(batches), len(replies) + 1)
        self.assertLess(len(batches), len(replies) // 3)  # not one transaction an event

    def test_it_records_the_removal_of_a_post_archived_in_the_same_batch(self):
        post = self.city.publish("Parade route", "s6-post")
        gone = self.resident.publish("Oops, wrong thread", "s6-gone", reply_to=post.item_id)
        self.resident.delete(gone.item_id)
        self.consume_until(lambda: (item := self.archived(gone.item_id)) is not None and item.deleted)
        self.assertEqual(ItemVersion.objects.filter(item__platform_id=gone.item_id).count(), 2)
    def test_it_hands_what_it_archives_to_the_inbox_through_the_workers(self):
        # Issue 17: triage runs in a worker (the queue), not in the consumer's thread.
        post = self.city.publish("Road work on Elm St", "s7-post")
        reply = self.resident.publish("There is a deep pothole at 12 Elm St", "s7-reply",
                                      reply_to=post.item_id)
        huey = tasks.announce_archived.huey
        with mock.patch.object(huey, "enqueue", wraps=huey.enqueue) as queued:
            self.consume_until(lambda: self.archived(reply.item_id) is not None)
        self.assertIn("announce_archived", {call.args[0].name for call in queued.call_args_list})
        entry = InboxEntry.objects.get(item=self.archived(reply.item_id))
        self.assertEqual(entry.account, self.account)
    def test_it_names_a_resident_by_the_handle_they_renamed_to(self):
        # Handles are kept for every reader in the process (a burst brings the same
        # residents back); the firehose's #identity event says at once when one changes.
        post = self.city.publish("Library hours", "s8-post")
        before = self.resident.publish("Open Sunday?", "s8-before", reply_to=post.item_id)
        self.consume_until(lambda: self.archived(before.item_id) is not None)
        renamed = f"renamed{secrets.token_hex(4)}.test"
        self.resident._call(lambda c: c.com.atproto.identity.update_handle({"handle": renamed}))
        after = self.resident.publish("Thanks!", "s8-after", reply_to=post.item_id)
        self.consume_until(lambda: self.archived(after.item_id) is not None)
        authors = [ItemVersion.objects.get(item__platform_id=reply.item_id).content.author
                   for reply in (before, after)]
        self.assertEqual(authors, [self.resident.handle, renamed])

# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
