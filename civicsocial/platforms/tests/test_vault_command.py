"""`civicsocial vault ...` (P13, issue 18): secrets go in from standard input, never from
the command line, and no command prints one."""

from __future__ import annotations

import io
import os
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError

from civicsocial.platforms.credentials import OPEN311_API_KEY, credentials_for, secret_variable
from civicsocial.security import vault
from civicsocial.security.models import VaultSecret
from civicsocial.testing import BaseTestCase

CANARY = "canary-Cm5x-Rb2y-Tn7u-Gh4e"


class VaultCommandTestCase(BaseTestCase):
    def setUp(self):
        self.account = self.approved_account()  # @alpha_news on Bluesky

    def run_command(self, *args: str, stdin: str = "") -> str:
        out = io.StringIO()
        with mock.patch("sys.stdin", io.StringIO(stdin)):
            call_command("vault", *args, stdout=out)
        return out.getvalue()

    def test_it_stores_a_secret_read_from_standard_input(self):
        out = self.run_command("set", "bluesky:@alpha_news", "--reason", "new", stdin=CANARY + "\n")
        row = VaultSecret.objects.get(name=self.account.secret_name)
        self.assertIn(row.fingerprint, out)
        self.assertNotIn(CANARY, out)
        self.assertEqual(credentials_for(self.account).secret, CANARY)
        self.run_command("set", f"account:{self.account.pk}", stdin="another-token-2\n")
        self.assertEqual(credentials_for(self.account).secret, "another-token-2")

    def test_it_refuses_a_weak_chosen_password_and_an_unknown_name(self):
        with self.assertRaisesMessage(CommandError, "too easy to guess"):
            self.run_command("set", "bluesky:@alpha_news", "--chosen", stdin="Password1\n")
        with self.assertRaisesMessage(CommandError, "PLATFORM:HANDLE"):
            self.run_command("set", "bluesky:@nobody", stdin=CANARY)
        self.assertFalse(VaultSecret.objects.exists())

    def test_it_moves_the_environments_secrets_into_the_vault_once(self):
        environment = {secret_variable("bluesky", "@alpha_news"): CANARY,
                       OPEN311_API_KEY.variable: "k-0123456789"}
        with mock.patch.dict(os.environ, environment):
            out = self.run_command("import-env")
            self.assertIn("2 moved into the vault", out)
            again = self.run_command("import-env")
        self.assertIn("0 moved into the vault, 2 already there", again)
        self.assertNotIn(CANARY, out + again)
        self.assertEqual(vault.reveal(self.account.secret_name), CANARY)  # the variable is gone now
        self.assertEqual(vault.reveal(OPEN311_API_KEY.name), "k-0123456789")

    def test_it_lists_and_forgets_without_showing_a_secret(self):
        self.run_command("set", "bluesky:@alpha_news", stdin=CANARY)
        listing = self.run_command("list")
        self.assertIn(self.account.secret_name, listing)
        self.assertNotIn(CANARY, listing)
        self.assertIn("Removed", self.run_command("forget", self.account.secret_name, "--reason", "retired"))
        with self.assertRaisesMessage(CommandError, "holds nothing"):
            self.run_command("forget", self.account.secret_name, "--reason", "again")

    def test_it_says_when_a_rotation_has_nothing_left(self):
        self.run_command("set", "bluesky:@alpha_news", stdin=CANARY)
        out = self.run_command("rotate-master")
        self.assertIn("Rewrapped 0; 1 already under", out)
        self.assertIn("previous keys can be retired", out)
