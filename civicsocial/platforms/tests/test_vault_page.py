"""P13 (issue 18): the vault page shows each account's credential as its agency admin may
see it (never the secret), which are due for rotation or still in an environment
variable; ODS alone enters the city's service secrets."""

from __future__ import annotations

import os
from datetime import timedelta
from unittest import mock

import time_machine
from django.utils import timezone

from civicsocial.platforms.credentials import (
    EVIDENCE_SIGNING_KEY,
    OPEN311_API_KEY,
    secret_variable,
    service_secret,
)
from civicsocial.records.tests.evidence import city_pki
from civicsocial.registry.credentials import store_account_secret
from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase

CANARY = "canary-Vt6n-Jr3c-Kd8s-Mw1q"


class VaultPageTestCase(BaseTestCase):
    def setUp(self):
        self.stored = self.approved_account(handle="@alpha_stored", url="https://bsky.example/alpha_stored")
        self.in_env = self.approved_account(handle="@alpha_env", url="https://bsky.example/alpha_env")
        self.theirs = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                            url="https://bsky.example/bravo_news")
        store_account_secret(self.ods, self.stored, CANARY, "app_password", False, "new")

    def page(self, role=Role.AGENCY_ADMIN, agency="alpha"):
        return self.login(self.person(role, agency)).get("/vault/")

    def test_it_shows_where_each_credential_is_and_never_the_secret(self):
        with mock.patch.dict(os.environ, {secret_variable("bluesky", "@alpha_env"): "env-secret-1"}):
            page = self.page()
        self.assertContains(page, "@alpha_stored")
        self.assertContains(page, "in the vault")
        self.assertContains(page, "in an environment variable")
        self.assertNotContains(page, "@bravo_news")
        self.assertNotContains(page, CANARY)
        self.assertNotContains(page, "env-secret-1")
        self.assertNotContains(page, "City services")  # ODS's alone

    def test_it_marks_a_credential_due_for_rotation(self):
        with time_machine.travel(timezone.now() + timedelta(days=self.alpha.secret_rotation_days)):
            self.assertContains(self.page(), "due for rotation")

    def test_it_lets_ods_alone_enter_a_service_secret(self):
        url = f"/vault/services/{OPEN311_API_KEY.name}/"
        admin = self.login(self.person(Role.AGENCY_ADMIN))
        self.assertEqual(admin.post(url, {"secret": "k-0123456789", "reason": "x"}).status_code, 403)
        ods = self.login(self.ods)
        self.assertContains(ods.get("/vault/"), "Open311 API key")
        self.assertRedirects(ods.post(url, {"secret": "k-0123456789", "reason": "from 311"}), "/vault/",
                             fetch_redirect_response=False)
        self.assertEqual(service_secret(OPEN311_API_KEY), "k-0123456789")
        self.assertEqual(AuditEvent.objects.filter(action="vault.secret_set").first().reason, "from 311")
        self.assertEqual(ods.get("/vault/services/nothing/").status_code, 404)

    def test_it_takes_the_evidence_signing_key_as_pem_and_never_shows_it_back(self):
        url = f"/vault/services/{EVIDENCE_SIGNING_KEY.name}/"
        key = city_pki().signer_key.read_text()
        ods = self.login(self.ods)
        self.assertContains(ods.get(url), "<textarea")  # a PEM key is several lines
        refused = ods.post(url, {"secret": key[:200], "reason": "cut short"})
        self.assertContains(refused, "Not a private key in PEM without a passphrase", status_code=400)
        self.assertNotContains(refused, key[40:80], status_code=400)  # what was typed is not sent back
        self.assertEqual(service_secret(EVIDENCE_SIGNING_KEY), "")
        stored = ods.post(url, {"secret": key, "reason": "the city's new certificate"})
        self.assertRedirects(stored, "/vault/", fetch_redirect_response=False)
        self.assertEqual(service_secret(EVIDENCE_SIGNING_KEY), key.strip())

    def test_it_validates_ownership(self):
        for role in (Role.MODERATOR, Role.COUNSEL, Role.RECORDS_OFFICER, Role.EDITOR):
            with self.subTest(role=role):
                self.assertEqual(self.page(role).status_code, 403)
        page = self.page(agency="bravo")
        self.assertContains(page, "@bravo_news")
        self.assertNotContains(page, "@alpha_stored")
