"""Removal within the law (P22) on Facebook, Instagram, X and YouTube, from the inbox: a
comment captured from the platform's contract server is proposed for removal, counsel
approves, and the platform hides it (YouTube: holds it for review) or deletes it (YouTube:
rejects it) where it allows that; the archive keeps the original."""

from __future__ import annotations

from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError

from civicsocial.inbox.models import InboxEntry, InboxState
from civicsocial.inbox.moderation import actions_for, decide_removal, propose_removal, restore_hidden
from civicsocial.inbox.services import triage_new_items
from civicsocial.ops.graph_server import error as graph_error
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.tests import graph, xapi, youtube
from civicsocial.records.models import ItemVersion
from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase

SPAM = "Buy cheap followers now!!! DM me for crypto giveaway, limited offer, click my link"


class Moderating(BaseTestCase):
    """A moderator, the agency's counsel, and the steps from a captured comment to its removal."""

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


class ContractPlatformModerationTestCase(Moderating):
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


class RestoreHiddenTestCase(Moderating):
    """Counsel shows a hidden comment again, with a reason (P22), from the item's page."""

    def setUp(self) -> None:
        super().setUp()
        self.server = graph.shared_server()
        page, _, self.token = graph.new_page()
        self.comment = self.server.comment(self.server.post(page, "Pools open"), "Spammer", SPAM)
        self.adapter = graph.facebook(self.token)
        self.hidden = self.entry("facebook", self.adapter, self.comment)
        self.remove(self.hidden, "hide", self.adapter)
        self.proposal = self.hidden.proposals.get()

    def test_it_shows_the_comment_again_and_records_who_and_why(self):
        restore_hidden(
            self.counsel, self.proposal, "Appeal upheld: it was a real offer of help.", self.adapter
        )
        self.assertFalse(self.server.objects[self.comment]["hidden"])
        self.hidden.refresh_from_db()
        self.assertEqual(self.hidden.state, InboxState.REVIEWED)
        self.assertTrue(
            AuditEvent.objects.filter(action="inbox.hide_undone", reason__startswith="Appeal").exists()
        )
        with self.assertRaises(ValidationError):  # once
            restore_hidden(self.counsel, self.proposal, "Again.", self.adapter)

    def test_it_lets_only_counsel_restore_and_needs_a_reason(self):
        with self.assertRaises(PermissionDenied):
            restore_hidden(self.moderator, self.proposal, "I think so.", self.adapter)
        with self.assertRaises(ValidationError):
            restore_hidden(self.counsel, self.proposal, "  ", self.adapter)
        self.assertTrue(self.server.objects[self.comment]["hidden"])

    def test_it_keeps_the_comment_hidden_when_the_platform_refuses(self):
        self.server.fail_next.append(graph_error(200, "Permissions error"))
        with self.assertRaisesRegex(ValidationError, "platform refused"):
            restore_hidden(self.counsel, self.proposal, "Appeal upheld.", self.adapter)
        self.proposal.refresh_from_db()
        self.assertIsNone(self.proposal.restored_at)

    def test_it_works_from_the_item_page(self):
        self.login(self.counsel)
        page = self.client.get(self.hidden.get_absolute_url()).content.decode()
        self.assertIn("Show again", page)
        with mock.patch.dict(
            "os.environ",
            {
                "CIVICSOCIAL_FACEBOOK_SERVICE": self.server.url,
                secret_variable("facebook", "@nycparks"): self.token,
            },
        ):
            answer = self.client.post(
                f"/inbox/proposals/{self.proposal.pk}/restore/", {"reason": "Appeal upheld."}
            )
        self.assertEqual(answer.status_code, 302)
        self.assertFalse(self.server.objects[self.comment]["hidden"])
        self.assertIn("shown again", self.client.get(self.hidden.get_absolute_url()).content.decode())
        self.login(self.moderator)
        self.assertEqual(self.client.get(f"/inbox/proposals/{self.proposal.pk}/restore/").status_code, 403)
