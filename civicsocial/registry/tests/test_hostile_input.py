"""Hostile strings are escaped in pages and neutralized in CSV exports."""

from io import StringIO

from django.core.management import call_command

from civicsocial.registry import services
from civicsocial.registry.models import Role
from civicsocial.security.csvsafe import safe_cell
from civicsocial.testing import BaseTestCase

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class HostileInputTestCase(BaseTestCase):
    def test_it_escapes_hostile_text_in_pages(self):
        account = self.approved_account(topic_limited=True, topic_statement=XSS)
        application = self.submitted_application(handle="@other", justification=XSS * 2)
        self.login(self.person(Role.VIEWER))
        for path in (f"/accounts/{account.pk}/", f"/applications/{application.pk}/"):
            body = self.client.get(path).content.decode()
            self.assertNotIn("<script>alert", body, path)
            self.assertNotIn("<img src=x", body, path)
            self.assertIn("&lt;script&gt;", body, path)

    def test_it_escapes_hostile_search_terms_in_the_directory(self):
        body = self.client.get("/directory/", {"q": XSS}).content.decode()
        self.assertNotIn("<script>alert", body)

    def test_it_neutralizes_formulas_in_csv(self):
        self.assertEqual(safe_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")")
        self.assertEqual(safe_cell("@SUM(A1)"), "'@SUM(A1)")
        self.assertEqual(safe_cell("-2+3"), "'-2+3")
        self.assertEqual(safe_cell("plain"), "plain")
        data = self.application_data(handle="=cmd|' /C calc'!A0")
        data.pop("agency")
        services.register_existing_account(self.ods, self.alpha, data, "legacy")
        out = StringIO()
        call_command("accounts", format="csv", stdout=out)
        self.assertIn("'=cmd", out.getvalue())
        self.assertNotIn(",=cmd", out.getvalue())

    def test_it_rejects_oversized_text(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/", {
            "agency": self.alpha.pk, "platform": "bluesky", "handle": "@big",
            "url": "https://bsky.example/big", "account_type": "agency",
            "login_identity": "social@alpha.nyc.gov", "justification": "x" * 100_000})
        self.assertEqual(response.status_code, 400)
        self.assertIn("justification", response.context["form"].errors)
