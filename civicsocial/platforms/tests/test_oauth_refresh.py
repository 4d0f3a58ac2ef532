"""Issue 18 (P13): OAuth tokens in the vault refresh themselves, against a real OAuth 2.0 /
OpenID Connect provider on loopback (npm's certified oidc-provider, ops/oidc_provider.py):
a token about to expire is refreshed with the refresh token, both new tokens are stored,
the new access token works at the provider, a refused refresh says what to do, and two
workers refreshing at once spend the refresh token once (PostgreSQL)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from django.test import TestCase
from django.utils import timezone

from civicsocial.ops.oidc_provider import OidcProvider
from civicsocial.platforms import oauth
from civicsocial.security import vault
from civicsocial.security.models import AuditEvent, SecretKind, VaultSecret
from civicsocial.testing import CommittedTestCase, at_once, races_on_postgres

REDIRECT = "http://127.0.0.1:9/oauth/callback"


class Provider:
    """One provider for the module, with a client that may keep refresh tokens."""

    started: OidcProvider | None = None
    secret = secrets.token_urlsafe(24)

    @classmethod
    def get(cls) -> OidcProvider:
        if cls.started is None:
            cls.started = OidcProvider("vendor", cls.secret, REDIRECT,
                                       {"city": {"email": "social@city.gov"}},
                                       grant_types=("authorization_code", "refresh_token")).__enter__()
        return cls.started


def authorized() -> oauth.OAuthConnection:
    """A connection authorized as a city employee would: the code flow with PKCE and
    offline access, its tokens and client secret put in the vault."""
    provider = Provider.get()
    connection = oauth.OAuthConnection("vendor", "Vendor", f"{provider.issuer}/token", "vendor",
                                       "vendor:client_secret")
    vault.store(vault.Entry(connection.client_secret_name, "Vendor client secret",
                            SecretKind.CLIENT_SECRET), Provider.secret, None)
    verifier = secrets.token_urlsafe(48)
    with OAuth2Client("vendor", Provider.secret, redirect_uri=REDIRECT, scope="openid offline_access",
                      code_challenge_method="S256",
                      token_endpoint_auth_method="client_secret_post") as client:
        url, _ = client.create_authorization_url(f"{provider.issuer}/auth", code_verifier=verifier,
                                                 prompt="consent")
        back = provider.authorize(url, "city")
        token = client.fetch_token(f"{provider.issuer}/token", authorization_response=back,
                                   code_verifier=verifier)
    assert token.get("refresh_token"), token
    oauth.store_tokens(connection, dict(token), None, "authorized")
    return connection


def expire(connection: oauth.OAuthConnection) -> str:
    old = vault.reveal(connection.access_name) or ""
    soon = timezone.now() + timedelta(seconds=5)  # inside the margin: due for a refresh
    VaultSecret.objects.filter(name=connection.access_name).update(expires_at=soon)
    return old


def works(token: str) -> bool:
    answer = httpx.get(f"{Provider.get().issuer}/me", headers={"Authorization": f"Bearer {token}"},
                       timeout=30)
    return answer.status_code == 200


def refreshes() -> int:
    return AuditEvent.objects.filter(action="vault.secret_set", reason="refreshed",
                                     target_label__endswith="access token").count()


class OAuthRefreshTestCase(TestCase):
    def test_it_gives_the_stored_token_while_it_is_good(self):
        connection = authorized()
        stored = vault.reveal(connection.access_name)
        self.assertEqual(oauth.access_token(connection), stored)
        self.assertEqual(refreshes(), 0)

    def test_it_refreshes_a_token_about_to_expire_and_keeps_both_new_tokens(self):
        connection = authorized()
        old = expire(connection)
        new = oauth.access_token(connection)
        self.assertNotEqual(new, old)
        self.assertTrue(works(new))
        self.assertEqual(vault.reveal(connection.access_name), new)
        self.assertGreater(vault.describe(connection.access_name).expires_at,
                           timezone.now() + timedelta(minutes=5))
        self.assertEqual(refreshes(), 1)
        self.assertEqual(oauth.access_token(connection), new)  # good again: no second refresh
        self.assertEqual(refreshes(), 1)

    def test_it_says_to_authorize_again_when_the_refresh_is_refused(self):
        connection = authorized()
        vault.store(vault.Entry(connection.refresh_name, "Vendor refresh token", SecretKind.REFRESH_TOKEN),
                    "revoked-or-never-issued", None)
        expire(connection)
        with self.assertRaisesMessage(oauth.OAuthError, "authorize the connection again"):
            oauth.access_token(connection)


@races_on_postgres
class OAuthRefreshWorkersTestCase(CommittedTestCase):
    def test_it_refreshes_once_when_two_workers_need_it_at_once(self):
        connection = authorized()
        expire(connection)
        first, second = at_once(lambda: oauth.access_token(connection),
                                lambda: oauth.access_token(connection))
        self.assertEqual(first, second)
        self.assertTrue(works(first))
        self.assertEqual(refreshes(), 1)


pytestmark = [pytest.mark.network]
