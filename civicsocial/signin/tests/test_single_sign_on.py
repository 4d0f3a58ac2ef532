"""Issue 18: single sign-on against a real OpenID Connect provider on loopback (the
certified oidc-provider package, ops/oidc_provider.py): the authorization code flow with
PKCE, the ID token checked against the provider's keys. The provider says who someone is;
the registry says what they may do: an unknown, unverified or departed person is refused,
nobody is created, and a privileged role still passes our own second factor."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from civicsocial.ops.oidc_provider import OidcProvider
from civicsocial.registry.models import Person, Role
from civicsocial.signin import sso
from civicsocial.testing import BaseTestCase

CALLBACK = "http://testserver/sso/callback/"


class SingleSignOnTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_secret = secrets.token_urlsafe(24)
        cls.provider = OidcProvider("civicsocial", cls.client_secret, CALLBACK, accounts={
            "moderator": {"email": "alpha-moderator@alpha.nyc.gov", "name": "Mo"},
            "admin": {"email": "ALPHA-agency_admin@alpha.nyc.gov", "name": "Ad"},
            "stranger": {"email": "someone@elsewhere.example", "name": "St"},
            "unverified": {"email": "alpha-editor@alpha.nyc.gov", "email_verified": False},
        }).__enter__()
        issuer = cls.provider.issuer
        cls.settings = override_settings(
            OIDC_RP_CLIENT_ID="civicsocial", OIDC_RP_CLIENT_SECRET=cls.client_secret,
            OIDC_OP_AUTHORIZATION_ENDPOINT=f"{issuer}/auth", OIDC_OP_TOKEN_ENDPOINT=f"{issuer}/token",
            OIDC_OP_USER_ENDPOINT=f"{issuer}/me", OIDC_OP_JWKS_ENDPOINT=f"{issuer}/jwks",
            AUTHENTICATION_BACKENDS=["axes.backends.AxesStandaloneBackend",
                                     "django.contrib.auth.backends.ModelBackend", sso.BACKEND])
        cls.settings.enable()

    @classmethod
    def tearDownClass(cls):
        cls.settings.disable()
        cls.provider.__exit__(None, None, None)
        super().tearDownClass()

    def setUp(self):
        for person in Person.objects.all():  # the people's addresses, as the provider knows them
            person.email = f"{person.username}@alpha.nyc.gov"
            person.save()

    def sign_in(self, login: str):
        """The browser's part: to the provider, its login and consent pages, and back."""
        start = self.client.get("/sso/start/")
        self.assertEqual(start.status_code, 302)
        location = start["Location"]
        self.assertTrue(location.startswith(f"{self.provider.issuer}/auth?"))
        self.assertIn("code_challenge=", location)
        location = self.provider.authorize(location, login)
        self.assertTrue(location.startswith(CALLBACK), location)
        parts = urlsplit(location)
        return self.client.get(f"{parts.path}?{parts.query}")

    def signed_in_as(self):
        return Person.objects.filter(pk=self.client.session.get("_auth_user_id")).first()

    def test_it_signs_in_a_registered_person_the_provider_knows(self):
        answer = self.sign_in("moderator")
        self.assertEqual(answer.status_code, 302)
        self.assertEqual(self.signed_in_as(), self.person(Role.MODERATOR))
        self.assertEqual(self.client.get("/inbox/").status_code, 200)  # the registry's roles apply

    def test_it_refuses_whom_the_registry_does_not_know_and_creates_nobody(self):
        people = Person.objects.count()
        answer = self.sign_in("stranger")
        self.assertEqual(answer["Location"], "/login/?sso=refused")
        self.assertIsNone(self.signed_in_as())
        self.assertEqual(Person.objects.count(), people)
        self.assertContains(self.client.get("/login/?sso=refused"), "did not sign you in here")

    def test_it_refuses_an_address_the_provider_has_not_verified(self):
        self.sign_in("unverified")
        self.assertIsNone(self.signed_in_as())

    def test_it_refuses_a_person_who_left(self):
        moderator = self.person(Role.MODERATOR)
        moderator.is_active = False
        moderator.save()
        self.sign_in("moderator")
        self.assertIsNone(self.signed_in_as())

    def test_it_still_asks_a_privileged_role_for_the_second_factor(self):
        self.sign_in("admin")  # the address's case does not matter
        self.assertEqual(self.signed_in_as(), self.person(Role.AGENCY_ADMIN))
        self.assertRedirects(self.client.get("/"), "/second-factor/setup/?next=/",
                             fetch_redirect_response=False)

    def test_it_offers_the_provider_on_the_login_page(self):
        self.assertContains(self.client.get("/login/"), "Sign in with the city's identity provider")


@override_settings(OIDC_RP_CLIENT_ID="")
class WithoutSingleSignOnTestCase(BaseTestCase):
    def test_it_has_no_sso_when_none_is_configured(self):
        self.assertEqual(self.client.get("/sso/start/").status_code, 404)
        self.assertEqual(self.client.get("/sso/callback/?code=x&state=y").status_code, 404)
        self.assertNotContains(self.client.get("/login/"), "identity provider")


pytestmark = [pytest.mark.network]
