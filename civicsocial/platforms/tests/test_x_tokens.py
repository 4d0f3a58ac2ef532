"""X's user tokens last two hours: an X account whose secret is the refresh token of its OAuth
2.0 grant is read with access tokens the vault keeps fresh (platforms/oauth.py), refreshed at
X's token endpoint (the contract server's, HTTP Basic client authentication) with the new
refresh token X hands back each time kept in its place."""

from __future__ import annotations

import json
import os
import time
from unittest import mock

from django.utils import timezone

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.credentials import X_CLIENT_SECRET
from civicsocial.platforms.tests.xapi import new_user, shared_server
from civicsocial.registry.credentials import account_entry
from civicsocial.security import vault
from civicsocial.security.models import VaultSecret
from civicsocial.testing import BaseTestCase


class XTokenRefreshTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = shared_server()
        self.user, _ = new_user("nycem")
        self.account = self.approved_account(platform="x", handle="@nycem", url="https://x.com/nycem")
        vault.store(account_entry(self.account), json.dumps({"refresh_token": self.server.grant(self.user)}),
                    None, "the account's OAuth 2.0 grant")
        vault.store(vault.Entry(X_CLIENT_SECRET.name, X_CLIENT_SECRET.label, X_CLIENT_SECRET.kind),
                    self.server.client_secret, None, "the city's X client")
        patcher = mock.patch.dict(os.environ, {"CIVICSOCIAL_X_SERVICE": self.server.url,
                                               "CIVICSOCIAL_X_CLIENT_ID": self.server.client_id})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_reads_with_a_refreshed_token_and_keeps_the_new_refresh_token(self):
        self.server.post(self.user, "Flood warning")
        report = capture_account(self.account)
        self.assertTrue(report.ok, report.error)
        refresh = vault.reveal("x:@nycem:refresh_token")
        self.assertIn(refresh, self.server.refresh_tokens)  # X's new one, the grant's was spent
        first = vault.reveal("x:@nycem:access_token")
        self.assertTrue(capture_account(self.account).ok)
        self.assertEqual(vault.reveal("x:@nycem:access_token"), first)  # still good: not refreshed again

    def test_it_refreshes_an_expired_access_token(self):
        adapter_for(self.account)
        for token in list(self.server.token_expiry):
            self.server.token_expiry[token] = time.time() - 1
        expired = vault.reveal("x:@nycem:access_token")
        VaultSecret.objects.filter(name="x:@nycem:access_token").update(expires_at=timezone.now())
        self.assertTrue(capture_account(self.account).ok)
        self.assertNotEqual(vault.reveal("x:@nycem:access_token"), expired)

    def test_it_says_to_authorize_again_when_the_refresh_is_refused(self):
        self.server.refresh_tokens.clear()  # the grant was revoked
        with self.assertRaisesRegex(PlatformError, "authorize the connection again"):
            adapter_for(self.account)
