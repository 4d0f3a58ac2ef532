"""Referring to 311 (P23) against real servers on loopback: the reply is published on the
reference Bluesky PDS, and the service request is filed with the local Open311 GeoReport
v2 server, then tracked until it closes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from civicsocial.inbox.models import InboxEntry, InboxState, Referral
from civicsocial.inbox.open311 import Open311Client, Open311Error
from civicsocial.inbox.referral import CITY_WORDING, refer_to_311, refresh_referrals, suggest_service
from civicsocial.inbox.services import triage_new_items
from civicsocial.ops import georeport_server
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.tests.bluesky import adapter, new_account, registered_account
from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase


class ReferralTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server, self.state, endpoint = georeport_server.start(
            georeport_server.GeoReportState(api_key="k-test"))
        self.addCleanup(self.server.shutdown)
        self.account, self.city = registered_account(
            self, CIVICSOCIAL_OPEN311_ENDPOINT=endpoint, CIVICSOCIAL_OPEN311_API_KEY="k-test")
        self.resident = adapter(*new_account("resident"))
        self.client311 = Open311Client.from_environment()
        self.moderator = self.person(Role.MODERATOR)

    def comment(self, text: str) -> InboxEntry:
        post = self.city.publish("Street work this week", f"post-{text[:8]}")
        reply = self.resident.publish(text, f"reply-{text[:8]}", reply_to=post.item_id)
        capture_account(self.account)
        triage_new_items()
        return InboxEntry.objects.get(item__platform_id=reply.item_id)

    @staticmethod
    def referral(entry: InboxEntry) -> Referral:
        return Referral.objects.get(entry=entry)

    def replies_to(self, item_id: str) -> list[str]:
        return [c["text"] for c in self.city.read_since("").captures
                if c.get("parent_id") == item_id and c["author"] == self.city.handle]

    def test_it_replies_and_files_a_service_request_at_the_place_named(self):
        entry = self.comment("The streetlight at 40 Court St has been out for a week")
        self.assertEqual(entry.location, "40 Court St")
        code = suggest_service(self.client311.services(), "The streetlight has been out")
        self.assertEqual(code, "STREETLIGHT")
        refer_to_311(self.moderator, entry, code, client=self.client311)
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.REFERRED)
        filed = self.state.requests[self.referral(entry).request_id]
        self.assertEqual(filed["address"], "40 Court St, New York, NY")
        self.assertEqual(filed["service_code"], "STREETLIGHT")
        self.assertIn("out for a week", filed["description"])
        [reply] = self.replies_to(entry.item.platform_id)
        self.assertIn("nyc.gov/311", reply)
        self.assertIn(self.referral(entry).request_id, reply)
        self.assertTrue(AuditEvent.objects.filter(action="inbox.referred_311",
                                                  actor=self.moderator).exists())

    def test_it_uses_the_agencys_wording_and_replies_once(self):
        self.alpha.referral_wording = "Alpha hears you: please tell 311."
        self.alpha.save()
        entry = self.comment("Missed trash pickup on our block again")
        refer_to_311(self.moderator, entry)
        refer_to_311(self.moderator, entry)  # twice is once
        self.assertEqual(self.replies_to(entry.item.platform_id),
                         ["Alpha hears you: please tell 311. nyc.gov/311"])
        self.assertEqual(self.state.requests, {})  # no service chosen: a reply only
        self.assertIn("nyc.gov/311", CITY_WORDING)

    def test_it_tracks_the_request_until_it_closes(self):
        entry = self.comment("Pothole at 5 Main St is getting deeper")
        refer_to_311(self.moderator, entry, "POTHOLE", client=self.client311)
        entry.refresh_from_db()
        self.assertEqual(refresh_referrals(self.client311), 0)
        self.state.close(self.referral(entry).request_id, "Crew filled the pothole.")
        out = StringIO()
        call_command("referrals", stdout=out)
        self.assertIn("1 request(s) changed status", out.getvalue())
        entry.refresh_from_db()
        self.assertEqual(self.referral(entry).status, "closed")
        self.assertEqual(self.referral(entry).notes, "Crew filled the pothole.")

    def test_it_follows_a_token_to_its_request_id(self):
        self.state.queue = True
        entry = self.comment("Tree limb down at 12 Oak St")
        refer_to_311(self.moderator, entry, "TREE", client=self.client311)
        entry.refresh_from_db()
        self.assertEqual((self.referral(entry).request_id, self.referral(entry).status), ("", "queued"))
        refresh_referrals(self.client311)
        entry.refresh_from_db()
        referral = self.referral(entry)
        self.assertEqual(self.state.tokens[referral.request_token], referral.request_id)
        self.assertEqual(self.referral(entry).status, "open")

    def test_it_asks_for_a_place_when_the_comment_names_none(self):
        entry = self.comment("Garbage everywhere after the parade")
        with self.assertRaisesMessage(ValidationError, "No place was found"):
            refer_to_311(self.moderator, entry, "SANITATION", client=self.client311)
        refer_to_311(self.moderator, entry, "SANITATION", location="Broadway & W 96th St",
                     client=self.client311)
        entry.refresh_from_db()
        self.assertEqual(self.state.requests[self.referral(entry).request_id]["address"],
                         "Broadway & W 96th St, New York, NY")

    def test_it_explains_a_refusal_and_loses_nothing(self):
        entry = self.comment("Pothole at 9 Elm St")
        wrong = Open311Client(self.client311.endpoint, api_key="wrong")
        with self.assertRaisesMessage(ValidationError, "refused (403)"):
            refer_to_311(self.moderator, entry, "POTHOLE", client=wrong)
        self.assertFalse(Referral.objects.filter(entry=entry).exists())
        self.assertEqual(self.replies_to(entry.item.platform_id), [])
        down = Open311Client("http://127.0.0.1:9/open311/v2", timeout=1)
        with self.assertRaises(Open311Error):
            down.services()

    def test_it_refers_from_the_page(self):
        entry = self.comment("Streetlight out at 40 Court St")
        client = self.login(self.moderator)
        form = client.get(f"/inbox/{entry.pk}/refer/")
        self.assertContains(form, "Street light out")  # services from the endpoint
        self.assertContains(form, "nyc.gov/311")
        client.post(f"/inbox/{entry.pk}/refer/", {"location": "40 Court St",
                                                  "service_code": "STREETLIGHT"})
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.REFERRED)
        self.assertTrue(self.referral(entry).request_id)

    def test_it_validates_ownership(self):
        entry = self.comment("Streetlight out at 40 Court St")
        bravo = self.login(self.person(Role.MODERATOR, "bravo"))
        self.assertEqual(bravo.post(f"/inbox/{entry.pk}/refer/", {"location": "x"}).status_code, 404)
        counsel = self.login(self.person(Role.COUNSEL))
        self.assertEqual(counsel.get(f"/inbox/{entry.pk}/refer/").status_code, 403)
        self.assertEqual(self.state.requests, {})


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
