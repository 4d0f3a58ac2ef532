"""Issue 18: API tokens for scripts. Made by a person for themselves, no wider than their
own roles, shown once and kept as a digest, expiring, revocable, last use recorded; a
request with one acts as its person within its scope; wrong tokens are throttled."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from civicsocial.registry.models import Role
from civicsocial.registry.permissions import Action
from civicsocial.signin import tokens
from civicsocial.signin.models import ApiToken
from civicsocial.testing import BaseTestCase


class ApiTokenTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()  # the failure counts
        self.account = self.approved_account()
        self.admin = self.person(Role.AGENCY_ADMIN)

    def issue(self, person=None, actions=(Action.EDIT_ACCOUNT,), agencies=None, **options):
        person = person or self.admin
        return tokens.issue(person, options.pop("name", "script"),
                            [self.alpha] if agencies is None else agencies, list(actions),
                            options.pop("days", 30), **options)

    def api(self, secret: str, method: str = "get", path: str = "/api/accounts", **data):
        kwargs = {"data": data, "content_type": "application/json"} if data else {}
        return getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)

    def test_it_keeps_only_a_digest_and_shows_the_secret_once(self):
        client = self.login(self.admin)
        answer = client.post("/tokens/", {"name": "nightly export", "agencies": [self.alpha.pk],
                                          "actions": [Action.EDIT_ACCOUNT], "days": 30})
        secret = answer.context["secret"]
        self.assertTrue(secret.startswith("cs_"))
        self.assertIn("no-store", answer["Cache-Control"])
        stored = ApiToken.objects.values().get()
        self.assertNotIn(secret, repr(stored))
        listing = client.get("/tokens/")
        self.assertContains(listing, "nightly export")
        self.assertNotContains(listing, secret)

    def test_it_acts_as_its_person_within_its_scope(self):
        _, secret = self.issue(actions=[Action.EDIT_ACCOUNT])
        self.assertEqual([a["handle"] for a in self.api(secret).json()], ["@alpha_news"])
        path = f"/api/accounts/{self.account.pk}"
        answer = self.api(secret, "patch", path, reason="nightly sync", sensitive_audience=True)
        self.assertEqual(answer.status_code, 200, answer.content)
        _, narrow = self.issue(actions=[Action.VIEW_ARCHIVE])  # the admin may edit; this token may not
        refused = self.api(narrow, "patch", path, reason="x", sensitive_audience=False)
        self.assertEqual(refused.status_code, 403)

    def test_it_sees_only_the_agencies_it_names(self):
        _, ods_alpha = self.issue(self.ods, actions=[Action.EDIT_ACCOUNT], agencies=[self.alpha])
        self.approved_account(agency=self.bravo, handle="@bravo_news", url="https://bsky.example/bravo_news")
        self.assertEqual([a["handle"] for a in self.api(ods_alpha).json()], ["@alpha_news"])
        _, citywide = self.issue(self.ods, actions=[Action.EDIT_ACCOUNT], agencies=[], citywide=True)
        self.assertEqual(len(self.api(citywide).json()), 2)

    def test_it_is_never_wider_than_its_persons_roles(self):
        moderator = self.person(Role.MODERATOR)
        with self.assertRaisesMessage(ValidationError, "Not yours to give"):
            self.issue(moderator, actions=[Action.EDIT_ACCOUNT])
        with self.assertRaisesMessage(ValidationError, "only in agencies where you hold a role"):
            self.issue(actions=[Action.EDIT_ACCOUNT], agencies=[self.bravo])
        with self.assertRaisesMessage(ValidationError, "Only an ODS admin"):
            self.issue(actions=[Action.EDIT_ACCOUNT], agencies=[], citywide=True)
        with self.assertRaisesMessage(ValidationError, "1 to 365 days"):
            self.issue(days=400)
        self.assertFalse(ApiToken.objects.exists())

    def test_it_stops_working_when_expired_or_revoked_and_notes_its_use(self):
        token, secret = self.issue(days=1)
        self.assertEqual(self.api(secret).status_code, 200)
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)
        with time_machine.travel(timezone.now() + timedelta(days=2)):
            self.assertEqual(self.api(secret).status_code, 401)
        client = self.login(self.admin)
        client.post(f"/tokens/{token.pk}/revoke/")
        self.assertEqual(self.api(secret).status_code, 401)
        self.assertContains(client.get("/tokens/"), "revoked")

    def test_it_stops_working_when_its_person_leaves(self):
        _, secret = self.issue()
        self.admin.is_active = False
        self.admin.save()
        self.assertEqual(self.api(secret).status_code, 401)

    def test_it_throttles_wrong_tokens(self):
        _, secret = self.issue()
        for _ in range(tokens.FAILURES_ALLOWED):
            self.assertEqual(self.api("cs_" + "x" * 40).status_code, 401)
        self.assertEqual(self.api(secret).status_code, 429)  # even a right one, from that address

    def test_it_is_described_in_the_openapi_document(self):
        document = self.login(self.admin).get("/api/openapi.json").json()
        schemes = document["components"]["securitySchemes"]
        self.assertIn({"type": "http", "scheme": "bearer"}, list(schemes.values()))

    def test_it_validates_ownership(self):
        token, _ = self.issue()
        other = self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        self.assertEqual(other.post(f"/tokens/{token.pk}/revoke/").status_code, 404)
        self.assertNotContains(other.get("/tokens/"), token.prefix)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)
