"""Removal within the law (P22), against the reference Bluesky PDS: a moderator proposes
hiding a comment on an allowed ground, only counsel approves, the platform hides it, the
archive keeps the original, and a complaint alone can never be proposed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from civicsocial.inbox.models import InboxEntry, InboxState, RemovalProposal
from civicsocial.inbox.moderation import (
    actions_for,
    decide_removal,
    grounds_for,
    propose_removal,
    restore_hidden,
)
from civicsocial.inbox.services import triage_new_items
from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.adapters.bluesky import THREADGATE
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.tests.bluesky import adapter, new_account, registered_account
from civicsocial.records.models import ItemVersion
from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase

SPAM = "Buy cheap followers now!!! DM me for crypto giveaway, limited offer, click my link"
COMPLAINT = "This agency is useless and the commissioner should resign. Worst service ever."


class ModerationTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account, self.city = registered_account(self)
        self.resident = adapter(*new_account("resident"))
        self.moderator = self.person(Role.MODERATOR)
        self.counsel = self.person(Role.COUNSEL)
        self.post = self.city.publish("Bike lanes open", "mod-post")

    def comment(self, text: str, key: str) -> InboxEntry:
        reply = self.resident.publish(text, key, reply_to=self.post.item_id)
        capture_account(self.account)
        triage_new_items()
        return InboxEntry.objects.get(item__platform_id=reply.item_id)

    def hidden_replies(self) -> list[str]:
        """The replies the post's threadgate hides ([] when it has no threadgate)."""
        rkey = self.post.item_id.rsplit("/", 1)[1]
        try:
            _, gate = self.city._record(f"at://{self.city.did}/{THREADGATE}/{rkey}")
        except PlatformError:
            return []
        return gate.get("hiddenReplies", [])

    def test_it_hides_only_after_counsel_approves_and_keeps_the_original(self):
        entry = self.comment(SPAM, "spam-1")
        self.assertIn("solicitation", entry.labels)
        proposal = propose_removal(self.moderator, entry, "hide", "solicitation",
                                   "Selling followers and crypto.")
        self.assertEqual(self.hidden_replies(), [])  # nothing happens before approval
        decide_removal(self.counsel, proposal, True, "Commercial solicitation, P22 exception.")
        proposal.refresh_from_db()
        entry.refresh_from_db()
        self.assertIsNotNone(proposal.carried_out_at)
        self.assertEqual(entry.state, InboxState.HIDDEN)
        self.assertEqual(self.hidden_replies(), [entry.item.platform_id])
        capture_account(self.account)  # the archive still has the comment, word for word
        texts = ItemVersion.objects.filter(item=entry.item).values_list("content__text", flat=True)
        self.assertIn(SPAM, list(texts))
        actions = list(AuditEvent.objects.filter(target_type="records.archiveditem",
                                                 target_id=str(entry.item.pk))
                       .order_by("pk").values_list("action", flat=True))
        self.assertEqual(actions, ["inbox.removal_proposed", "inbox.removal_approved",
                                   "inbox.hide_done"])

    def test_it_never_lets_a_complaint_alone_be_proposed(self):
        entry = self.comment(COMPLAINT, "complaint-1")
        self.assertIn("complaint", entry.labels)
        self.assertFalse(set(entry.labels) & set(grounds_for(entry)))
        with self.assertRaisesMessage(ValidationError, "A complaint alone is never removed"):
            propose_removal(self.moderator, entry, "hide", "tos_violation", "Rude to staff.")
        with self.assertRaisesMessage(ValidationError, "never one"):
            propose_removal(self.moderator, entry, "hide", "complaint", "Negative.")
        self.assertFalse(RemovalProposal.objects.exists())

    def test_it_accepts_a_ground_triage_missed_when_the_words_are_quoted(self):
        entry = self.comment("Worst service ever. Also visit sh0p-f4ke.example for deals", "quote-1")
        propose_removal(self.moderator, entry, "hide", "solicitation",
                        'Advertises a shop: "visit sh0p-f4ke.example for deals"')
        self.assertEqual(RemovalProposal.objects.count(), 1)

    def test_it_allows_off_topic_only_on_a_topic_limited_account(self):
        entry = self.comment("Anyone selling Knicks tickets?", "offtopic-1")
        self.assertNotIn("off_topic", grounds_for(entry))
        with self.assertRaisesMessage(ValidationError, "limited to a stated topic"):
            propose_removal(self.moderator, entry, "hide", "off_topic", "About basketball.")
        self.account.topic_limited = True
        self.account.topic_statement = "Bike lanes and cycling safety"
        self.account.save()
        entry = InboxEntry.objects.get(pk=entry.pk)
        self.assertIn("off_topic", grounds_for(entry))
        propose_removal(self.moderator, entry, "hide", "off_topic", "About basketball.")

    def test_it_offers_only_what_the_platform_can_do(self):
        entry = self.comment(SPAM, "spam-2")
        self.assertEqual(actions_for(entry), ["hide"])  # Bluesky cannot delete others' posts
        with self.assertRaisesMessage(ValidationError, "does not let"):
            propose_removal(self.moderator, entry, "delete", "solicitation", "Spam.")

    def test_it_lets_only_the_agencys_counsel_decide(self):
        entry = self.comment(SPAM, "spam-3")
        proposal = propose_removal(self.moderator, entry, "hide", "solicitation", "Spam.")
        for person in (self.moderator, self.ods, self.person(Role.AGENCY_ADMIN),
                       self.person(Role.COUNSEL, "bravo")):
            with self.assertRaises(PermissionDenied):
                decide_removal(person, proposal, True, "ok")
        with self.assertRaisesMessage(ValidationError, "reason"):
            decide_removal(self.counsel, proposal, True, " ")
        decide_removal(self.counsel, proposal, False, "Borderline; leave it up.")
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.NEW)
        self.assertEqual(self.hidden_replies(), [])
        with self.assertRaisesMessage(ValidationError, "already been decided"):
            decide_removal(self.counsel, proposal, True, "Changed my mind")

    def test_it_works_from_the_pages(self):
        entry = self.comment(SPAM, "spam-4")
        moderator = self.login(self.moderator)
        moderator.post(f"/inbox/{entry.pk}/propose/", {
            "action": "hide", "ground": "solicitation", "explanation": "Spam links."})
        proposal = RemovalProposal.objects.get()
        self.assertEqual(moderator.get(f"/inbox/proposals/{proposal.pk}/decide/").status_code, 403)
        counsel = self.login(self.counsel)
        self.assertContains(counsel.get("/inbox/proposals/"), "Spam links.")
        counsel.post(f"/inbox/proposals/{proposal.pk}/decide/",
                     {"decision": "approve", "reason": "Spam (P22)."})
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.HIDDEN)
        self.assertContains(counsel.get(entry.get_absolute_url()), "Approved by counsel")

    def test_it_validates_ownership(self):
        entry = self.comment(SPAM, "spam-5")
        bravo = self.login(self.person(Role.MODERATOR, "bravo"))
        response = bravo.post(f"/inbox/{entry.pk}/propose/", {
            "action": "hide", "ground": "solicitation", "explanation": "x"})
        self.assertEqual(response.status_code, 404)
        proposal = propose_removal(self.moderator, entry, "hide", "solicitation", "Spam.")
        bravo_counsel = self.login(self.person(Role.COUNSEL, "bravo"))
        self.assertEqual(bravo_counsel.get(f"/inbox/proposals/{proposal.pk}/decide/").status_code, 404)
        self.assertNotContains(bravo_counsel.get("/inbox/proposals/"), "Spam.")

    def test_it_lets_counsel_show_a_hidden_reply_again(self):
        entry = self.comment(SPAM, "spam-restore")
        proposal = propose_removal(self.moderator, entry, "hide", "solicitation", "Selling followers.")
        decide_removal(self.counsel, proposal, True, "Commercial solicitation, P22 exception.")
        self.assertEqual(self.hidden_replies(), [entry.item.platform_id])
        restore_hidden(self.counsel, proposal, "Appeal upheld.")
        self.assertEqual(self.hidden_replies(), [])  # off the threadgate
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.REVIEWED)
