"""The Facebook Page adapter against the Graph API contract server (ops/graph_server.py):
posts, comments at every level, edits, removals, images, the Page snapshot, the token's
expiry, moderation (P22), and the documented errors (P25, P27: all of it is a record)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import SimpleTestCase

from civicsocial.ops.contract_server import Response
from civicsocial.ops.graph_server import error
from civicsocial.platforms.adapters.base import NotSupported, PlatformError
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.models import CaptureState
from civicsocial.platforms.retry import RetryPolicy
from civicsocial.platforms.tests.graph import facebook, new_page, shared_server
from civicsocial.records.capture import parse_capture
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, ItemVersion
from civicsocial.testing import BaseTestCase


class FacebookAdapterTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.server = shared_server()
        self.page, _, self.token = new_page()
        self.adapter = facebook(self.token)

    def test_it_reads_posts_and_comments_at_every_level(self):
        post = self.server.post(self.page, "Pools open Saturday", image=b"\x89PNG pool")
        comment = self.server.comment(post, "Maria Ortiz", "Which pools?")
        answer = self.server.comment(comment, self.page, "All outdoor pools.")
        found = {c["item_id"]: c for c in self.adapter.read_since("").captures}
        post_id = f"facebook:{self.page}/posts/{post}"
        comment_id, answer_id = f"facebook:{post}/comments/{comment}", f"facebook:{post}/comments/{answer}"
        self.assertEqual(found[post_id]["kind"], "post")
        self.assertEqual(found[post_id]["media"][0]["content_type"], "image/png")
        self.assertEqual((found[comment_id]["kind"], found[comment_id]["author"]), ("comment", "Maria Ortiz"))
        self.assertEqual(found[comment_id]["parent_id"], post_id)
        self.assertEqual((found[answer_id]["kind"], found[answer_id]["parent_id"]), ("reply", comment_id))
        for line in found.values():
            parse_capture(line)

    def test_it_reads_beyond_one_page(self):
        post = self.server.post(self.page, "Street fair")
        comments = {self.server.comment(post, f"Resident {n}", f"Comment {n}") for n in range(130)}
        found = {c["item_id"].rsplit("/", 1)[-1] for c in self.adapter.read_since("").captures}
        self.assertEqual(comments - found, set())  # past the first 100

    def test_it_says_when_the_page_token_expires(self):
        result = self.adapter.read_since("")
        expected = datetime.now(UTC) + timedelta(days=60)
        self.assertLess(abs((result.credentials_expire_at - expected).total_seconds()), 120)  # type: ignore[operator]

    def test_it_snapshots_the_page(self):
        profile = self.adapter.read_profile()
        self.assertEqual(profile["kind"], "profile")
        self.assertIn("NYC Parks (verified)", profile["text"])
        self.assertIn("https://www.nyc.gov", profile["text"])
        self.assertTrue(profile["media"][0]["data"])
        parse_capture(profile)

    def test_it_hides_unhides_and_deletes_a_comment(self):
        post = self.server.post(self.page, "Leaf pickup")
        comment = self.server.comment(post, "Troll", "rude words")
        item = f"facebook:{post}/comments/{comment}"
        self.adapter.hide(item)
        self.assertTrue(self.server.objects[comment]["hidden"])
        self.adapter.unhide(item)
        self.assertFalse(self.server.objects[comment]["hidden"])
        self.adapter.delete(item)
        self.assertTrue(self.server.objects[comment]["deleted"])
        with self.assertRaises(NotSupported):
            self.adapter.hide(f"facebook:{self.page}/posts/{post}")

    def test_it_refuses_to_act_on_another_pages_comment(self):
        other_page, _, _ = new_page("Transit")
        comment = self.server.comment(self.server.post(other_page, "Elsewhere"), "Someone", "hi")
        with self.assertRaisesRegex(PlatformError, "Facebook refused"):
            self.adapter.hide(f"facebook:x/comments/{comment}")

    def test_it_waits_as_long_as_the_platform_asks_when_throttled(self):
        waits: list[float] = []
        usage = '{"1": [{"type": "pages", "estimated_time_to_regain_access": 3}]}'
        self.server.fail_next.append(error(32, "Page request limit reached",
                                           headers={"X-Business-Use-Case-Usage": usage}))
        adapter = facebook(self.token, retry=RetryPolicy(attempts=3, base=0.01, max_wait=600),
                           sleep=waits.append)
        adapter.read_since("")
        self.assertEqual(waits, [180.0])  # 3 minutes, as the header said

    def test_it_says_an_expired_token_must_be_renewed(self):
        self.server.expire(self.token)
        with self.assertRaisesRegex(PlatformError, "renew the page token"):
            self.adapter.read_since("")

    def test_it_retries_transient_errors_and_refuses_a_cut_off_answer(self):
        self.server.fail_next += [error(2, "Service temporarily unavailable", status=500),
                                  Response(200, b'{"data": [{"id": "1"')]
        self.assertTrue(self.adapter.read_since("").cursor)


class FacebookCaptureTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = shared_server()
        self.page, _, self.token = new_page()
        self.account = self.approved_account(platform="facebook", handle="@nycparks",
                                             url="https://www.facebook.com/nycparks")

    def capture(self):
        report = capture_account(self.account, facebook(self.token))
        self.assertTrue(report.ok, report.error)
        return report

    def test_it_archives_edits_and_removals_and_keeps_what_was_removed(self):
        post = self.server.post(self.page, "Pools open Saturday")
        comment = self.server.comment(post, "Maria Ortiz", "Which pools?")
        self.capture()
        self.server.edit(post, "Pools open Sunday")
        self.server.remove(comment)
        self.capture()
        item = ArchivedItem.objects.get(platform_id=f"facebook:{self.page}/posts/{post}")
        texts = item.version_set.order_by("version_no").values_list("content__text", flat=True)
        self.assertEqual(list(texts),
                         ["Pools open Saturday", "Pools open Sunday"])
        removed = ArchivedItem.objects.get(platform_id=f"facebook:{post}/comments/{comment}")
        self.assertTrue(removed.deleted)  # P27: kept, marked removed
        self.assertEqual(removed.version_set.order_by("version_no").first().content.text, "Which pools?")
        self.assertTrue(verify().ok)

    def test_it_records_when_the_token_expires_for_the_account_page(self):
        self.capture()
        state = CaptureState.objects.get(account=self.account)
        self.assertGreater(state.credentials_expire_at, datetime.now(UTC) + timedelta(days=59))

    def test_it_stores_nothing_twice_when_run_again(self):
        post = self.server.post(self.page, "Ferry schedule", image=b"\x89PNG ferry")
        self.server.comment(post, "J. Kim", "Thanks")
        self.capture()
        CaptureState.objects.filter(account=self.account).update(cursor="")
        self.capture()
        self.assertEqual(ItemVersion.objects.filter(item__stream__account=self.account,
                                                    item__kind__in=["post", "comment"]).count(), 2)
