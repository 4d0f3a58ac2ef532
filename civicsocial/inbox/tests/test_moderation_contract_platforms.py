"""Removal within the law (P22) on Facebook, Instagram, X and YouTube, from the inbox: a
comment captured from the platform's contract server is proposed for removal, counsel
approves, and the platform hides it (YouTube: holds it for review) or deletes it (YouTube:
rejects it) where it allows that; the archive keeps the original."""

from __future__ import annotations

from civicsocial.inbox.models import InboxEntry, InboxState
from civicsocial.inbox.moderation import actions_for, decide_removal, propose_removal
from civicsocial.inbox.services import triage_new_items
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.tests import graph, xapi, youtube
from civicsocial.records.models import ItemVersion
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase

SPAM = "Buy cheap followers now!!! DM me for crypto giveaway, limited offer, click my link"


class ContractPlatformModerationTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.moderator = self.person(Role.MODERATOR)
        self.counsel = self.person(Role.COUNSEL)

    def entry(self, platform: str, adapter: object, comment: str) -> InboxEntry:
        account = self.approved_account(
            platform=platform, handle="@nycparks", url=f"https://{platform}.example/nycparks"
        )
        self.assertTrue(capture_account(account, adapter).ok)  # type: ignore[arg-type]
        triage_new_items()
        return InboxEntry.objects.get(item__platform_id__endswith=f"/{comment}")

    def remove(self, entry: InboxEntry, action: str, adapter: object) -> None:
        proposal = propose_removal(self.moderator, entry, action, "solicitation", "Selling followers.")
        decide_removal(
            self.counsel, proposal, True, "Commercial solicitation, P22 exception.", adapter=adapter
        )  # type: ignore[arg-type]
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.HIDDEN)
        self.assertIn(
            SPAM, list(ItemVersion.objects.filter(item=entry.item).values_list("content__text", flat=True))
        )

    def test_it_hides_and_deletes_a_facebook_comment(self):
        server = graph.shared_server()
        page, _, token = graph.new_page()
        post = server.post(page, "Pools open")
        hidden, deleted = server.comment(post, "Spammer", SPAM), server.comment(post, "Spammer 2", SPAM)
        adapter = graph.facebook(token)
        entry = self.entry("facebook", adapter, hidden)
        self.assertEqual(actions_for(entry), ["hide", "delete"])
        self.remove(entry, "hide", adapter)
        self.assertTrue(server.objects[hidden]["hidden"])
        self.remove(InboxEntry.objects.get(item__platform_id__endswith=f"/{deleted}"), "delete", adapter)
        self.assertTrue(server.objects[deleted]["deleted"])

    def test_it_hides_an_instagram_comment(self):
        server = graph.shared_server()
        _, user, token = graph.new_page()
        comment = server.comment(server.media(user, "Snow", b"\x89PNG"), "spammer", SPAM)
        adapter = graph.instagram(token)
        self.remove(self.entry("instagram", adapter, comment), "hide", adapter)
        self.assertTrue(server.objects[comment]["hidden"])

    def test_it_hides_a_reply_on_x_and_cannot_delete_it(self):
        server = xapi.shared_server()
        city, token = xapi.new_user("nycparks")
        reply = server.post(xapi.new_user("spammer")[0], SPAM, reply_to=server.post(city, "Pools open"))
        adapter = xapi.adapter(token)
        entry = self.entry("x", adapter, reply)
        self.assertEqual(actions_for(entry), ["hide"])  # X lets an account delete only its own posts
        self.remove(entry, "hide", adapter)
        self.assertTrue(server.posts[reply].hidden)

    def test_it_holds_and_rejects_a_youtube_comment(self):
        server = youtube.shared_server()
        channel, secret = youtube.new_channel()
        video = server.upload(channel, "Pools open")
        held, rejected = server.comment(video, "Spammer", SPAM), server.comment(video, "Spammer 2", SPAM)
        adapter = youtube.adapter(secret)
        self.remove(self.entry("youtube", adapter, held), "hide", adapter)
        self.assertEqual(server.comments[held].status, "heldForReview")
        self.remove(InboxEntry.objects.get(item__platform_id__endswith=f"/{rejected}"), "delete", adapter)
        self.assertEqual(server.comments[rejected].status, "rejected")
