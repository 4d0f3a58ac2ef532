"""The Bluesky adapter against the reference PDS on loopback (no mocks): reading since a
cursor, profile snapshots, idempotent publishing, replies, hiding and deleting."""

from __future__ import annotations

import base64
import io

import pytest
from django.test import SimpleTestCase
from PIL import Image

from civicsocial.platforms.adapters.base import Capability, NotSupported, PlatformError
from civicsocial.platforms.adapters.bluesky import THREADGATE, tid_for
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.records.capture import parse_capture


class BlueskyAdapterTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        shared_network()
        cls.city = adapter(*new_account("parks"))
        cls.resident = adapter(*new_account("resident"))

    def test_it_reads_the_accounts_posts_and_the_replies_to_them(self):
        post = self.city.publish("Pools open Saturday", "t1-post")
        comment = self.resident.publish("Which pools?", "t1-comment", reply_to=post.item_id)
        answer = self.city.publish("All outdoor pools.", "t1-answer", reply_to=comment.item_id)
        unrelated = self.resident.publish("Nice weather", "t1-unrelated")
        found = {c["item_id"]: c for c in self.city.read_since("").captures}
        self.assertEqual(found[post.item_id]["kind"], "post")
        self.assertEqual(found[comment.item_id]["kind"], "comment")
        self.assertEqual(found[comment.item_id]["author"], self.resident.handle)
        self.assertEqual(found[comment.item_id]["parent_id"], post.item_id)
        self.assertEqual(found[answer.item_id]["kind"], "reply")
        self.assertNotIn(unrelated.item_id, found)
        for line in found.values():  # every line is a valid capture, raw payload kept
            capture = parse_capture(line)
            self.assertIn(line["item_id"], capture.raw)

    def test_it_reads_only_repos_that_changed_since_the_cursor(self):
        self.city.publish("Cursor test", "t2-post")
        first = self.city.read_since("")
        again = self.city.read_since(first.cursor)
        self.assertEqual(again.captures, [])
        self.assertEqual(again.complete_scopes, [])
        later = self.city.publish("Later post", "t2-later")
        then = self.city.read_since(first.cursor)
        self.assertIn(later.item_id, [c["item_id"] for c in then.captures])
        self.assertEqual(then.complete_scopes, [f"at://{self.city.did}/app.bsky.feed.post/"])

    def test_it_publishes_once_per_idempotency_key(self):
        first = self.city.publish("Exactly once", "t3-key")
        second = self.city.publish("Exactly once", "t3-key")
        self.assertTrue(first.created)
        self.assertFalse(second.created)
        self.assertEqual(first.item_id, second.item_id)
        texts = [c["text"] for c in self.city.read_since("").captures]
        self.assertEqual(texts.count("Exactly once"), 1)
        with self.assertRaisesRegex(PlatformError, "already published a different text"):
            self.city.publish("Something else", "t3-key")

    def test_it_derives_valid_distinct_record_keys(self):
        keys = {tid_for(f"release-{i}") for i in range(1000)}
        self.assertEqual(len(keys), 1000)
        for key in keys:
            self.assertRegex(key, r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")

    def test_it_hides_a_reply_in_the_accounts_thread(self):
        post = self.city.publish("Hide test", "t4-post")
        comment = self.resident.publish("spam spam", "t4-comment", reply_to=post.item_id)
        self.city.hide(comment.item_id)
        self.city.hide(comment.item_id)  # twice is once
        _, gate = self.city._record(f"at://{self.city.did}/{THREADGATE}/{post.item_id.rsplit('/', 1)[1]}")
        self.assertEqual(gate["hiddenReplies"], [comment.item_id])

    def test_it_deletes_own_posts_but_not_others(self):
        post = self.city.publish("Delete me", "t5-post")
        comment = self.resident.publish("A reply", "t5-comment", reply_to=post.item_id)
        with self.assertRaises(NotSupported):
            self.city.delete(comment.item_id)
        self.city.delete(post.item_id)
        self.assertNotIn(post.item_id, [c["item_id"] for c in self.city.read_since("").captures])
        self.assertNotIn(Capability.DELETE_THIRD_PARTY, self.city.capabilities)

    def test_it_snapshots_the_profile_with_its_avatar(self):
        picture = io.BytesIO()
        Image.new("RGB", (64, 64), (0, 90, 200)).save(picture, "PNG")
        self.city.update_profile("NYC Parks", "Official account of NYC Parks.",
                                 "https://nyc.gov/parks", picture.getvalue())
        snapshot = self.city.read_profile()
        self.assertEqual(snapshot["kind"], "profile")
        self.assertEqual(snapshot["text"], "NYC Parks\nOfficial account of NYC Parks.\nhttps://nyc.gov/parks")
        self.assertEqual(snapshot["raw"]["profile"]["links"], ["https://nyc.gov/parks"])
        self.assertEqual(base64.b64decode(snapshot["media"][0]["data"]), picture.getvalue())
        parse_capture(snapshot)

    def test_it_reports_bad_credentials_without_retrying(self):
        stranger = adapter(self.city.handle, "wrong-password")
        with self.assertRaisesRegex(PlatformError, "refused the account's credentials") as caught:
            stranger.read_since("")
        self.assertIsNone(caught.exception.retry_after)


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
