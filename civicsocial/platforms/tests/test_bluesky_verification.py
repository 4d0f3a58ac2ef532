"""Bluesky's blue check, read as the app reads it: a verification record in a trusted
verifier's repo naming the account's DID, current handle and current display name (P8
audits the mark). Against the reference PDS on loopback."""

from __future__ import annotations

import pytest
from django.test import SimpleTestCase

from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network


class BlueskyVerificationTestCase(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        shared_network()
        cls.verifier = adapter(*new_account("verifier"))
        cls.stranger = adapter(*new_account("stranger"))

    def city(self, name: str) -> object:
        handle, password = new_account("city")
        city = adapter(handle, password, verifiers=["did:plc:notonthisservice", self.verifier.did])
        city.update_profile(name, "Official account of the city.")
        return city

    def test_it_is_verified_by_a_trusted_verifiers_record(self):
        city = self.city("NYC Parks")
        self.assertFalse(city.read_profile()["raw"]["profile"]["verified"])
        self.verifier.vouch_for(city.did, city.handle, "NYC Parks")
        snapshot = city.read_profile()
        self.assertTrue(snapshot["raw"]["profile"]["verified"])
        self.assertEqual(snapshot["raw"]["profile"]["verified_by"], self.verifier.did)
        self.assertIn("verified", snapshot["text"])

    def test_it_ignores_a_record_from_anyone_else(self):
        city = self.city("NYC DOT")
        self.stranger.vouch_for(city.did, city.handle, "NYC DOT")
        self.assertFalse(city.read_profile()["raw"]["profile"]["verified"])

    def test_it_loses_the_mark_when_the_name_changes(self):
        city = self.city("NYC Health")
        self.verifier.vouch_for(city.did, city.handle, "NYC Health")
        city.update_profile("Totally Real Health Dept", "Official account of the city.")
        self.assertFalse(city.read_profile()["raw"]["profile"]["verified"])


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
