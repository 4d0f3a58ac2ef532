"""`civicsocial import_accounts`: registering the city's existing accounts (P1)."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from civicsocial.policy.checks import run_checks
from civicsocial.registry.models import Account
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase

CSV = """agency,platform,handle,url,login_identity
alpha,bluesky,@alpha_old,https://bsky.example/alpha_old,social@alpha.nyc.gov
alpha,myspace,@alpha_tom,https://myspace.example/alpha_tom,social@alpha.nyc.gov
nope,x,@ghost,https://x.example/ghost,social@alpha.nyc.gov
bravo,x,@bravo_x,https://x.example/bravo_x,
bravo,mastodon,@bravo,not a url,social@bravo.nyc.gov
"""


class ImportAccountsTestCase(BaseTestCase):
    def run_import(self, tmp_text: str) -> tuple[str, str, int]:
        path = self.tmp / "accounts.csv"
        path.write_text(tmp_text)
        out, err = StringIO(), StringIO()
        code = 0
        try:
            call_command("import_accounts", str(path), reason="Legacy list", stdout=out, stderr=err)
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        return out.getvalue(), err.getvalue(), code

    def setUp(self) -> None:
        super().setUp()
        self.tmp = Path(tempfile.mkdtemp())

    def test_it_imports_good_rows_and_reports_bad_ones_by_line(self):
        out, err, code = self.run_import(CSV)
        self.assertEqual(code, 1)
        self.assertIn("Imported 1, already registered 0, rejected 4", out)
        self.assertIn("accounts.csv:3: unknown platform 'myspace'", err)
        self.assertIn("accounts.csv:4: unknown agency 'nope'", err)
        self.assertIn("accounts.csv:5: missing login_identity", err)
        self.assertIn("accounts.csv:6: url 'not a url' is not valid", err)
        self.assertEqual(list(Account.objects.values_list("handle", flat=True)), ["@alpha_old"])
        self.assertTrue(AuditEvent.objects.filter(action="account.registered_existing",
                                                  reason="Legacy list").exists())

    def test_it_is_idempotent(self):
        self.run_import(CSV)
        out, _, _ = self.run_import(CSV)
        self.assertIn("Imported 0, already registered 1", out)
        self.assertEqual(Account.objects.count(), 1)

    def test_it_counts_against_p2_until_an_application_is_approved(self):
        self.run_import(CSV)
        p2 = next(r for r in run_checks(self.alpha) if r.pid == "P2")
        self.assertFalse(p2.passed)

    def test_it_refuses_a_file_without_the_columns(self):
        with self.assertRaisesMessage(CommandError, "header lacks"):
            self.run_import("name,handle\nx,y\n")
