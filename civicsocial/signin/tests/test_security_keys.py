"""Issue 18 (P13): a person's passkeys and security keys: listed, removed with a record in
the audit log, never another person's; the verify page offers them beside the code; the
passkey endpoints are open before the second factor only for verifying."""

from __future__ import annotations

from django_otp_webauthn.models import WebAuthnCredential

from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase


def key_of(person, name="YubiKey 5"):
    return WebAuthnCredential.objects.create(user=person, name=name, confirmed=True, public_key=b"k",
                                             credential_type="public-key", credential_id=name.encode(),
                                             sign_count=0)


class SecurityKeysTestCase(BaseTestCase):
    def test_it_lists_and_removes_a_key_on_the_record(self):
        admin = self.person(Role.AGENCY_ADMIN)
        key = key_of(admin)
        self.assertTrue(AuditEvent.objects.filter(action="second_factor.key_added", actor=admin).exists())
        client = self.login(admin)
        self.assertContains(client.get("/second-factor/keys/"), "YubiKey 5")
        client.post("/second-factor/keys/", {"key": key.pk})
        self.assertFalse(WebAuthnCredential.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="second_factor.key_removed", actor=admin).exists())

    def test_it_offers_a_key_on_the_verify_page_only_to_whom_has_one(self):
        admin = self.person(Role.AGENCY_ADMIN)
        self.client.force_login(admin)  # password passed, second factor not yet
        self.assertNotContains(self.client.get("/second-factor/verify/"), "passkey-verification-button")
        key_of(admin)
        page = self.client.get("/second-factor/verify/")
        self.assertContains(page, "passkey-verification-button")
        self.assertContains(page, 'type="module"')  # the package's script, from our own origin

    def test_it_opens_only_verifying_before_the_second_factor(self):
        self.client.force_login(self.person(Role.AGENCY_ADMIN))
        self.assertNotEqual(self.client.post("/webauthn/authentication/begin/").status_code, 403)
        refused = self.client.post("/webauthn/registration/begin/")  # to the second factor first
        self.assertEqual((refused.status_code, refused["Location"].split("?")[0]),
                         (302, "/second-factor/setup/"))

    def test_it_validates_ownership(self):
        theirs = key_of(self.person(Role.AGENCY_ADMIN, "bravo"), "Theirs")
        client = self.login(self.person(Role.AGENCY_ADMIN))
        self.assertNotContains(client.get("/second-factor/keys/"), "Theirs")
        client.post("/second-factor/keys/", {"key": theirs.pk})
        self.assertTrue(WebAuthnCredential.objects.filter(pk=theirs.pk).exists())
