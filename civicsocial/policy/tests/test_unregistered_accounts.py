"""ODS sees the handles in the archive that claim the city but are not registered (P1);
nobody else does, and registered accounts are not listed."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from civicsocial.policy.unregistered import unregistered_accounts
from civicsocial.records.archive import archive_captures
from civicsocial.records.capture import parse_capture
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class UnregisteredAccountsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account(handle="@nyc_alpha")
        at = timezone.now()
        lines = [("@nyc_alpha", "@nyc_alpha", "post"),  # registered: not listed
                 ("@nyc_alpha", "@NYCParksOfficial", "comment"),  # claims the city
                 ("@nyc_alpha", "@newyorkcity_help", "comment"),
                 ("@nyc_alpha", "@jane", "comment"),  # no claim
                 ("@fake.nyc.gov", "@fake.nyc.gov", "post")]  # an archived stream, unregistered
        archive_captures([parse_capture({
            "platform": "bluesky", "account": stream, "item_id": f"i{n}", "kind": kind,
            "author": author, "text": f"<b>text {n}</b>", "created_at": at.isoformat(),
            "captured_at": (at + timedelta(minutes=n)).isoformat()})
            for n, (stream, author, kind) in enumerate(lines)])

    def test_it_lists_handles_that_claim_the_city(self):
        handles = [a.handle for a in unregistered_accounts()]
        self.assertEqual(handles, ["@fake.nyc.gov", "@newyorkcity_help", "@NYCParksOfficial"])
        stream = next(a for a in unregistered_accounts() if a.handle == "@fake.nyc.gov")
        self.assertEqual((stream.seen_as, stream.items), ("author", 1))

    def test_it_shows_them_to_ods(self):
        page = self.login(self.ods).get(reverse("unregistered-accounts")).content.decode()
        self.assertIn("@NYCParksOfficial", page)
        self.assertNotIn("@jane", page)

    def test_it_validates_ownership(self):
        for role in (Role.AGENCY_ADMIN, Role.COUNSEL, Role.VIEWER):
            response = self.login(self.person(role)).get(reverse("unregistered-accounts"))
            self.assertEqual(response.status_code, 403)
