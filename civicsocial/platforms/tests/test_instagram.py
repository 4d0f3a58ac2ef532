"""The Instagram adapter against the Graph API contract server: media and captions (edits),
comments and replies, removals, images, the profile snapshot, moderation (P22, P25, P27)."""

from __future__ import annotations

from django.test import SimpleTestCase

from civicsocial.platforms.adapters.base import NotSupported
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.tests.graph import instagram, new_page, shared_server
from civicsocial.records.capture import parse_capture
from civicsocial.records.models import ArchivedItem
from civicsocial.testing import BaseTestCase


class InstagramAdapterTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.server = shared_server()
        self.page, self.user, self.token = new_page()
        self.adapter = instagram(self.token)

    def test_it_reads_media_comments_and_replies(self):
        media = self.server.media(self.user, "Fall foliage in Central Park", b"\x89PNG leaves")
        comment = self.server.comment(media, "maria_ortiz", "Gorgeous!")
        reply = self.server.comment(comment, self.user, "Thank you!")
        found = {c["item_id"]: c for c in self.adapter.read_since("").captures}
        media_id = f"instagram:{self.user}/media/{media}"
        comment_id, reply_id = f"instagram:{media}/comments/{comment}", f"instagram:{media}/comments/{reply}"
        self.assertEqual(found[media_id]["text"], "Fall foliage in Central Park")
        self.assertTrue(found[media_id]["media"][0]["data"])
        self.assertEqual((found[comment_id]["author"], found[comment_id]["parent_id"]),
                         ("@maria_ortiz", media_id))
        self.assertEqual((found[reply_id]["kind"], found[reply_id]["parent_id"]), ("reply", comment_id))
        for line in found.values():
            parse_capture(line)

    def test_it_snapshots_the_profile(self):
        profile = self.adapter.read_profile()
        self.assertIn("Official account", profile["text"])
        parse_capture(profile)

    def test_it_hides_unhides_and_deletes_a_comment(self):
        media = self.server.media(self.user, "Snow day", b"\x89PNG snow")
        comment = self.server.comment(media, "troll", "spam spam")
        item = f"instagram:{media}/comments/{comment}"
        self.adapter.hide(item)
        self.assertTrue(self.server.objects[comment]["hidden"])
        self.adapter.unhide(item)
        self.assertFalse(self.server.objects[comment]["hidden"])
        self.adapter.delete(item)
        self.assertTrue(self.server.objects[comment]["deleted"])
        with self.assertRaises(NotSupported):
            self.adapter.delete(f"instagram:{self.user}/media/{media}")


class InstagramCaptureTestCase(BaseTestCase):
    def test_it_archives_caption_edits_and_removed_comments(self):
        server = shared_server()
        _, user, token = new_page()
        account = self.approved_account(platform="instagram", handle="@nycparks",
                                        url="https://www.instagram.com/nycparks/")
        media = server.media(user, "Pool season", b"\x89PNG pool")
        comment = server.comment(media, "jkim", "When?")
        self.assertTrue(capture_account(account, instagram(token)).ok)
        server.edit(media, "Pool season starts June 26")
        server.remove(comment)
        self.assertTrue(capture_account(account, instagram(token)).ok)
        item = ArchivedItem.objects.get(platform_id=f"instagram:{user}/media/{media}")
        self.assertEqual(item.version_set.count(), 2)
        self.assertTrue(ArchivedItem.objects.get(platform_id=f"instagram:{media}/comments/{comment}").deleted)
