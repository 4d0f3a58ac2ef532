"""The Mastodon adapter (Mastodon.py) against a Mastodon-API server on loopback
(mastodon_mock; see tests/mastodon.py for why not Mastodon itself): reading, profile,
idempotent publishing, deleting, capture into the archive, and faults."""

from __future__ import annotations

import os
from collections import Counter
from unittest import mock

import pytest
from django.test import SimpleTestCase

from civicsocial.platforms.adapters.base import NotSupported, PlatformError
from civicsocial.platforms.adapters.mastodon import MastodonAdapter, plain_text
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.retry import RetryPolicy
from civicsocial.platforms.tests.faults import FaultProxy
from civicsocial.platforms.tests.mastodon import adapter, shared_server, token
from civicsocial.records.capture import parse_capture
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, ItemVersion
from civicsocial.testing import BaseTestCase


class MastodonAdapterTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        shared_server()
        cls.city, cls.resident, cls.neighbor = adapter("transit"), adapter("resident"), adapter("neighbor")

    def test_it_reads_statuses_and_replies_deep_in_their_threads(self):
        post = self.city.publish("Buses detour on 5th Ave", "m1-post")
        comment = self.resident.publish("@transit since when?", "m1-comment", reply_to=post.item_id)
        deep = self.neighbor.publish("@resident since Monday", "m1-deep", reply_to=comment.item_id)
        found = {c["item_id"]: c for c in self.city.read_since("").captures}
        self.assertEqual(found[post.item_id]["kind"], "post")
        self.assertEqual(found[comment.item_id]["kind"], "comment")
        self.assertEqual(found[comment.item_id]["parent_id"], post.item_id)
        self.assertEqual(found[deep.item_id]["author"], "@neighbor")  # no mention of @transit
        for line in found.values():
            parse_capture(line)

    def test_it_reads_every_mention_since_the_cursor_beyond_one_page(self):
        cursor = self.city.read_since("").cursor
        elsewhere = self.neighbor.publish("Bus stop moved?", "m6-post")
        replies = {self.resident.publish(f"@transit see this {n}", f"m6-{n}",
                                         reply_to=elsewhere.item_id).item_id for n in range(45)}
        found = {c["item_id"] for c in self.city.read_since(cursor).captures}
        self.assertEqual(replies - found, set())  # not only the newest page of 40

    def test_it_keeps_a_replys_parent_when_the_thread_is_gone(self):
        # The parent is part of the archived content: if it changed, the reply would be
        # archived again as an edit.
        post = self.city.publish("Fare change", "m7-post")
        comment = self.resident.publish("@transit why?", "m7-comment", reply_to=post.item_id)
        answer = self.city.publish("@resident costs rose", "m7-answer", reply_to=comment.item_id)
        first = self.city.read_since("")
        before = {c["item_id"]: c for c in first.captures}[answer.item_id]
        self.city.delete(post.item_id)  # its thread is no longer read; nor is the old mention
        after = {c["item_id"]: c for c in adapter("transit").read_since(first.cursor).captures}
        after = after[answer.item_id]
        self.assertEqual(before["parent_id"], comment.item_id)
        self.assertEqual(after["parent_id"], comment.item_id)

    def test_it_publishes_once_per_idempotency_key(self):
        first = self.city.publish("Exactly once", "m2-key")
        again = self.city.publish("Exactly once", "m2-key")
        self.assertEqual(first.item_id, again.item_id)
        texts = [c["text"] for c in self.city.read_since("").captures]
        self.assertEqual(texts.count("Exactly once"), 1)

    def test_it_deletes_own_statuses_only_and_cannot_hide(self):
        post = self.city.publish("Delete me", "m3-post")
        comment = self.resident.publish("@transit no", "m3-comment", reply_to=post.item_id)
        with self.assertRaises(NotSupported):
            self.city.delete(comment.item_id)
        with self.assertRaises(NotSupported):
            self.city.hide(comment.item_id)
        self.city.delete(post.item_id)
        self.assertNotIn(post.item_id, [c["item_id"] for c in self.city.read_since("").captures])

    def test_it_snapshots_the_profile_with_its_avatar(self):
        snapshot = self.city.read_profile()
        self.assertEqual(snapshot["kind"], "profile")
        self.assertTrue(snapshot["text"].startswith("Transit"))
        self.assertTrue(snapshot["media"][0]["data"])
        parse_capture(snapshot)

    def test_it_turns_html_into_the_text_a_reader_sees(self):
        self.assertEqual(plain_text("<p>Line one<br>Line &amp; two</p><p>Para</p>"),
                         "Line one\nLine & two\nPara")

    def test_it_reports_a_bad_token_without_retrying(self):
        stranger = MastodonAdapter(shared_server().base_url, "@transit", "wrong-token")
        with self.assertRaises(PlatformError) as caught:
            stranger.read_since("")
        self.assertIsNone(caught.exception.retry_after)


class MastodonCaptureTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = shared_server()
        self.account = self.approved_account(platform="mastodon", handle="@parks",
                                             url=f"{self.server.base_url}/@parks")
        self.city, self.resident = adapter("parks"), adapter("resident")
        patcher = mock.patch.dict(os.environ, {secret_variable("mastodon", "@parks"): token("parks")})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_archives_statuses_replies_and_removals(self):
        post = self.city.publish("Leaves collected Monday", "mc1-post")
        comment = self.resident.publish("@parks thank you", "mc1-comment", reply_to=post.item_id)
        report = capture_account(self.account)
        self.assertTrue(report.ok, report.error)
        items = {i.platform_id: i for i in ArchivedItem.objects.filter(stream__account=self.account)}
        self.assertEqual(items[comment.item_id].kind, "comment")
        self.city.delete(post.item_id)
        second = capture_account(self.account)
        self.assertEqual(second.counts.get("deleted"), 1)
        self.assertTrue(ArchivedItem.objects.get(platform_id=post.item_id).deleted)
        self.assertTrue(verify().ok)

    def test_it_archives_every_item_exactly_once_through_faults(self):
        post = self.city.publish("Through faults", "mc2-post")
        known = [post.item_id] + [self.resident.publish(f"@parks reply {n}", f"mc2-{n}",
                                                        reply_to=post.item_id).item_id
                                  for n in range(8)]
        with FaultProxy(self.server.base_url, rate=0.3, seed=3, hold_seconds=1.5) as proxy:
            faulty = MastodonAdapter(proxy.url, "@parks", token("parks"), timeout=1.0,
                                     retry=RetryPolicy(attempts=10, base=0.05, cap=0.5))
            runs = [capture_account(self.account, faulty) for _ in range(3)]
            published = [faulty.publish(f"Alert {n}", f"mc2-alert-{n}") for n in range(8)]
        self.assertTrue(all(r.ok for r in runs), [r.error for r in runs])
        self.assertGreater(sum(proxy.injected.values()), 3)
        ids = Counter(ArchivedItem.objects.filter(stream__account=self.account)
                      .values_list("platform_id", flat=True))
        self.assertTrue(set(known) <= set(ids))
        self.assertEqual(ItemVersion.objects.filter(item__platform_id__in=known).count(), len(known))
        texts = Counter(c["text"] for c in self.city.read_since("").captures)
        for n in range(8):
            self.assertEqual(texts[f"Alert {n}"], 1)
        self.assertEqual(len({p.item_id for p in published}), 8)


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
