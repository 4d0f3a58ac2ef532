"""The YouTube adapter (google-api-python-client) against the Data API v3 contract server,
which checks every request against the discovery document the library ships: videos and
their edits, thumbnails and captions, comment threads and every reply, removals, the channel
snapshot, holding and rejecting comments (P22), quota and token expiry (P25, P27)."""

from __future__ import annotations

import base64
import json

from django.test import SimpleTestCase

from civicsocial.ops.youtube_server import check_parameters, google_error
from civicsocial.platforms.adapters.base import NotSupported, PlatformError
from civicsocial.platforms.adapters.youtube import YouTubeAdapter
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.retry import RetryPolicy
from civicsocial.platforms.tests.youtube import adapter, new_channel, shared_server
from civicsocial.records.capture import parse_capture
from civicsocial.records.models import ArchivedItem
from civicsocial.testing import BaseTestCase


class YouTubeAdapterTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.server = shared_server()
        self.channel, self.secret = new_channel()
        self.adapter = adapter(self.secret)

    def test_it_reads_videos_captions_comments_and_every_reply(self):
        video = self.server.upload(
            self.channel,
            "Leaf peeping",
            "Where to see fall colors",
            thumbnail=b"\xff\xd8 leaves",
            captions={"en": "Welcome to the park"},
        )
        top = self.server.comment(video, "Maria Ortiz", "Lovely!")
        replies = [self.server.comment(video, f"Resident {n}", f"Reply {n}", reply_to=top) for n in range(7)]
        answer = self.server.comment(video, self.channel, "Thanks for watching", reply_to=top)
        found = {c["item_id"]: c for c in self.adapter.read_since("").captures}
        line = found[f"youtube:{self.channel}/videos/{video}"]
        self.assertEqual(line["text"], "Leaf peeping\n\nWhere to see fall colors")
        self.assertEqual([m["content_type"] for m in line["media"]], ["image/jpeg", "application/x-subrip"])
        self.assertIn(b"Welcome to the park", base64.b64decode(line["media"][1]["data"]))
        self.assertEqual(found[f"youtube:{video}/comments/{top}"]["author"], "Maria Ortiz")
        for reply in replies:  # 7: beyond the 5 a thread carries
            self.assertEqual(
                found[f"youtube:{video}/comments/{reply}"]["parent_id"], f"youtube:{video}/comments/{top}"
            )
        self.assertEqual(found[f"youtube:{video}/comments/{answer}"]["kind"], "reply")
        for line in found.values():
            parse_capture(line)

    def test_it_downloads_a_caption_track_once(self):
        video = self.server.upload(self.channel, "Pools", captions={"es": "Bienvenidos"})
        first = self.adapter.read_since("")
        again = self.adapter.read_since(first.cursor)
        line = next(c for c in again.captures if c["item_id"].endswith(video))
        self.assertEqual([m["content_type"] for m in line["media"]], [])  # no thumbnail, no new captions

    def test_it_snapshots_the_channel(self):
        profile = self.adapter.read_profile()
        self.assertEqual(
            profile["text"], "NYC Parks\nOfficial channel of NYC Parks\nhttps://www.youtube.com/@nycparks"
        )
        self.assertTrue(profile["media"][0]["data"])
        parse_capture(profile)

    def test_it_holds_publishes_and_rejects_a_comment(self):
        video = self.server.upload(self.channel, "Snow")
        comment = self.server.comment(video, "Troll", "spam")
        item = f"youtube:{video}/comments/{comment}"
        self.adapter.hide(item)
        self.assertEqual(self.server.comments[comment].status, "heldForReview")
        self.adapter.unhide(item)
        self.assertEqual(self.server.comments[comment].status, "published")
        self.adapter.delete(item)
        self.assertEqual(self.server.comments[comment].status, "rejected")
        with self.assertRaises(NotSupported):
            self.adapter.hide(f"youtube:{self.channel}/videos/{video}")

    def test_it_cannot_moderate_another_channels_comment(self):
        other, _ = new_channel("NYC DOT")
        comment = self.server.comment(self.server.upload(other, "Bike lanes"), "Someone", "hi")
        with self.assertRaisesRegex(PlatformError, "403 forbidden"):
            self.adapter.hide(f"youtube:x/comments/{comment}")

    def test_it_refreshes_an_expired_access_token(self):
        self.adapter.read_profile()
        self.server.access.clear()  # every access token expired
        self.assertTrue(self.adapter.read_profile()["text"])

    def test_it_says_refused_credentials_need_authorizing_again(self):
        info = json.loads(self.secret)
        info["refresh_token"] = "revoked"
        with self.assertRaisesRegex(PlatformError, "authorize it again"):
            adapter(json.dumps(info)).read_profile()
        with self.assertRaisesRegex(PlatformError, "authorized-user JSON"):
            YouTubeAdapter(self.server.url, "@nycparks", "not json")

    def test_it_stops_when_the_daily_quota_is_spent(self):
        waits: list[float] = []
        spent = adapter(self.secret, retry=RetryPolicy(attempts=3), sleep=waits.append)
        spent.read_profile()  # signed in
        self.server.fail_next.append(google_error(403, "quotaExceeded", "quota", domain="youtube.quota"))
        with self.assertRaisesRegex(PlatformError, "daily quota is spent"):
            spent.read_profile()
        self.assertEqual(waits, [])  # hours away: not waited on, the next run after midnight Pacific

    def test_the_contract_server_checks_requests_against_the_discovery_document(self):
        from civicsocial.ops.youtube_server import METHODS

        threads = next(m for _, _, name, m in METHODS if m["id"] == "youtube.commentThreads.list")
        self.assertIsNone(
            check_parameters(threads, {"part": "snippet,replies", "videoId": "v", "maxResults": "100"})
        )
        for bad in (
            {"videoId": "v"},
            {"part": "snippet", "maxResults": "101"},
            {"part": "snippet", "order": "x"},
            {"part": "statistics"},
            {"part": "snippet", "colour": "red"},
        ):
            self.assertEqual(check_parameters(threads, bad).status, 400, bad)  # type: ignore[union-attr]


class YouTubeCaptureTestCase(BaseTestCase):
    def test_it_archives_edits_and_removals(self):
        server = shared_server()
        channel, secret = new_channel("NYC Emergency Management")
        account = self.approved_account(
            platform="youtube", handle="@nycem", url="https://www.youtube.com/@nycem"
        )
        video = server.upload(channel, "Hurricane prep")
        comment = server.comment(video, "Rosa", "Thank you")
        self.assertTrue(capture_account(account, adapter(secret)).ok)
        server.edit(video, "Hurricane preparedness")
        server.remove(comment)
        report = capture_account(account, adapter(secret))
        self.assertTrue(report.ok, report.error)
        item = ArchivedItem.objects.get(platform_id=f"youtube:{channel}/videos/{video}")
        self.assertEqual(item.version_set.count(), 2)
        self.assertTrue(ArchivedItem.objects.get(platform_id=f"youtube:{video}/comments/{comment}").deleted)
