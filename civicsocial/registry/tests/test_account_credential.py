"""P13 (issue 18): an agency admin enters an account's secret on its page; it goes into the
vault and no page shows it again; a generated password is shown once."""

from __future__ import annotations

from django.urls import reverse

from civicsocial.registry.models import Role
from civicsocial.security import vault
from civicsocial.security.models import AuditEvent, VaultSecret
from civicsocial.testing import BaseTestCase

CANARY = "canary-Qe7v-Hx2m-Pz9k-Wt4r"


class AccountCredentialTestCase(BaseTestCase):
    def setUp(self):
        self.account = self.approved_account()
        self.url = reverse("account-credential", args=[self.account.pk])

    def post(self, role: str = Role.AGENCY_ADMIN, agency: str = "alpha", **data: object):
        client = self.login(self.person(role, agency))
        fields = {"kind": "app_password", "reason": "new app password", **data}
        return client.post(self.url, fields)

    def test_it_stores_the_secret_and_never_shows_it_again(self):
        answer = self.post(secret=CANARY)
        self.assertRedirects(answer, self.account.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(vault.reveal(self.account.secret_name), CANARY)
        row = VaultSecret.objects.get(name=self.account.secret_name)
        page = self.login(self.person(Role.AGENCY_ADMIN)).get(self.account.get_absolute_url())
        self.assertContains(page, row.fingerprint)
        self.assertContains(page, "Replace the credential")
        self.assertNotContains(page, CANARY)
        self.assertNotContains(self.login(self.person(Role.AGENCY_ADMIN)).get(self.url), CANARY)
        event = AuditEvent.objects.get(action="vault.secret_set")
        self.assertEqual((event.actor, event.agency_id, event.reason),
                         (self.person(Role.AGENCY_ADMIN), self.alpha.pk, "new app password"))

    def test_it_shows_a_generated_password_once(self):
        answer = self.post(generate="on")
        generated = answer.context["generated"]
        self.assertContains(answer, generated)
        self.assertIn("no-store", answer["Cache-Control"])
        self.assertEqual(vault.reveal(self.account.secret_name), generated)
        page = self.login(self.person(Role.AGENCY_ADMIN)).get(self.account.get_absolute_url())
        self.assertNotContains(page, generated)

    def test_it_refuses_a_weak_password_a_person_chose_and_does_not_echo_it(self):
        answer = self.post(secret="Summer2026!", chosen_by_person="on")
        self.assertContains(answer, "too easy to guess", status_code=400)
        self.assertNotContains(answer, "Summer2026!", status_code=400)
        self.assertFalse(VaultSecret.objects.exists())

    def test_it_asks_for_a_secret_or_generate_but_not_both(self):
        self.assertContains(self.post(), "Enter the secret, or tick", status_code=400)
        self.assertContains(self.post(secret=CANARY, generate="on"), "not both", status_code=400)
        self.assertFalse(VaultSecret.objects.exists())

    def test_it_validates_ownership(self):
        self.assertEqual(self.post(agency="bravo", secret=CANARY).status_code, 404)
        for role in (Role.MODERATOR, Role.COUNSEL, Role.RECORDS_OFFICER):
            with self.subTest(role=role):
                self.assertEqual(self.post(role, secret=CANARY).status_code, 403)
        self.assertFalse(VaultSecret.objects.exists())
        page = self.login(self.person(Role.MODERATOR)).get(self.account.get_absolute_url())
        self.assertNotContains(page, "Credential (P13)")

    def test_it_lets_ods_enter_it(self):
        self.assertEqual(self.post(Role.ODS_ADMIN, secret=CANARY).status_code, 302)
        self.assertEqual(vault.reveal(self.account.secret_name), CANARY)
