"""Issue 12, finding 7: bad input to the API and the pages answers 4xx with a clear
message, in JSON on the API, never a 500 or an HTML error page."""

from __future__ import annotations

from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class ApiErrorsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()
        archive(line("c1", account="@alpha_news", text="pothole on Main"))

    def test_it_answers_out_of_range_pages_and_dates_without_an_error(self):
        client = self.login(self.person(Role.RECORDS_OFFICER))
        for params in ({"page": "99999999999999999999"}, {"page": "0"}, {"per_page": "100000"},
                       {"until": "9999-12-31"}, {"since": "0001-01-01"}, {"until": "10000-01-01"}):
            response = client.get("/api/archive/search", params)
            self.assertLess(response.status_code, 500, params)
            self.assertTrue(response["Content-Type"].startswith("application/json"), params)
        page = client.get("/archive/", {"q": "pothole", "until": "9999-12-31"})
        self.assertContains(page, "1 item")
        self.assertEqual(client.get("/api/archive/search", {"until": "9999-12-31"}).json()["total"], 1)

    def test_it_refuses_a_body_over_the_limit_with_413_before_the_permission_check(self):
        body = '{"reason": "' + "x" * 3_000_000 + '"}'
        for role in (Role.VIEWER, Role.AGENCY_ADMIN):
            response = self.login(self.person(role)).generic(
                "PATCH", f"/api/accounts/{self.account.pk}", body, content_type="application/json")
            self.assertEqual(response.status_code, 413, role)
            self.assertEqual(response.json()["detail"], "Request body too large.")
        response = self.client.post("/api/foil", body, content_type="application/json")
        self.assertEqual(response.status_code, 413)

    def test_it_answers_errors_in_json(self):
        client = self.login(self.person(Role.VIEWER))
        for path in ("/api/accounts/999999", "/api/foil/1", "/api/archive/items/1"):
            response = client.get(path)
            self.assertIn(response.status_code, (403, 404), path)
            self.assertTrue(response["Content-Type"].startswith("application/json"), path)

    def test_it_validates_ownership(self):
        response = self.login(self.person(Role.RECORDS_OFFICER, "bravo")).get(
            "/api/archive/search", {"q": "pothole", "until": "9999-12-31"})
        self.assertEqual(response.json()["total"], 0)


class ApiDocsTestCase(BaseTestCase):
    def test_it_serves_swagger_ui_from_the_package_behind_login(self):
        self.assertEqual(self.client.get("/api/docs").status_code, 302)
        page = self.login(self.person(Role.VIEWER)).get("/api/docs").content.decode()
        self.assertIn("/static/ninja/swagger-ui-bundle.js", page)
        self.assertNotIn("cdn.", page)
        self.assertNotIn("https://", page.replace("https://swagger.io", ""))
        script = self.client.get("/static/ninja/swagger-ui-bundle.js")
        self.assertEqual(script.status_code, 200)
