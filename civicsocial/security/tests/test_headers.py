"""Issue 18: every answer carries a Content Security Policy that allows nothing inline and
nothing from elsewhere, which holds because no template has a script, a style or an event
handler of its own; and the production settings pass Django's deployment checks."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")|<style\b|\sstyle=|\son[a-z]+=",
                    re.IGNORECASE)


class HeadersTestCase(BaseTestCase):
    def test_it_sends_a_policy_without_inline_code_on_every_kind_of_answer(self):
        client = self.login(self.person(Role.AGENCY_ADMIN))
        account = self.approved_account()
        for path in ("/login/", "/", account.get_absolute_url(), "/api/accounts", "/api/docs", "/nothing/"):
            with self.subTest(path=path):
                policy = client.get(path)["Content-Security-Policy"]
                self.assertIn("default-src 'self'", policy)
                self.assertIn("script-src 'self'", policy)
                self.assertIn("frame-ancestors 'none'", policy)
                self.assertNotIn("unsafe", policy)

    def test_it_has_no_template_with_inline_script_style_or_handler(self):
        found = [f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
                 for path in TEMPLATES.rglob("*.html") for match in INLINE.finditer(path.read_text())]
        self.assertEqual(found, [])
        self.assertTrue(INLINE.search('<a onclick="x()">') and INLINE.search("<script>alert(1)</script>"))

    def test_it_passes_the_deployment_checks_with_production_settings(self):
        env = {k: v for k, v in os.environ.items() if k != "CIVICSOCIAL_DEBUG"}
        env.update(CIVICSOCIAL_SECRET_KEY=secrets.token_urlsafe(50), CIVICSOCIAL_ALLOWED_HOSTS="social.gov",
                   DJANGO_SETTINGS_MODULE="civicsocial.settings")
        command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("no issues", done.stdout)
