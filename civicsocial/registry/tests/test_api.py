"""The HTTP API: OpenAPI document, the same rules and permissions as the pages."""

from django.test import Client

from civicsocial.registry.models import Account, Application, ApplicationStatus, Role
from civicsocial.testing import BaseTestCase

PAYLOAD = {"agency": "alpha", "platform": "bluesky", "handle": "@alpha_api",
           "url": "https://bsky.example/alpha_api", "login_identity": "social@alpha.nyc.gov",
           "justification": "Residents on Bluesky need service alerts from Alpha.",
           "continuity_plan": "Two admins; handover checklist."}


class ApiTestCase(BaseTestCase):
    def post(self, path, data):
        return self.client.post(path, data=data, content_type="application/json")

    def test_it_publishes_an_openapi_document_to_staff(self):
        self.assertEqual(self.client.get("/api/openapi.json").status_code, 302)  # login first
        response = self.login(self.person(Role.VIEWER)).get("/api/openapi.json")
        self.assertEqual(response.status_code, 200)
        spec = response.json()
        self.assertTrue(spec["openapi"].startswith("3."))
        for path in ("/api/accounts", "/api/applications", "/api/applications/{application_id}/decision",
                     "/api/compliance", "/api/agencies"):
            self.assertIn(path, spec["paths"])

    def test_it_runs_the_whole_application_workflow(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        created = self.post("/api/applications", {**PAYLOAD, "continuity_plan": ""})
        self.assertEqual(created.status_code, 201)
        application_id = created.json()["id"]
        self.login(self.ods)
        denied = self.post(f"/api/applications/{application_id}/decision",
                           {"decision": "deny", "reason": "No continuity plan."})
        self.assertEqual(denied.json()["status"], "denied")
        self.login(self.person(Role.AGENCY_ADMIN))
        again = self.post("/api/applications", {**PAYLOAD, "previous_id": application_id})
        self.assertEqual(again.status_code, 201)
        self.login(self.ods)
        approved = self.post(f"/api/applications/{again.json()['id']}/decision",
                             {"decision": "approve", "reason": "Plan given."})
        self.assertEqual(approved.json()["status"], "approved")
        account = self.client.get(f"/api/accounts/{approved.json()['account_id']}").json()
        self.assertEqual(account["handle"], "@alpha_api")
        compliance = self.client.get("/api/compliance?agency=alpha").json()
        self.assertEqual(compliance["agencies"][0]["slug"], "alpha")

    def test_it_reports_bad_input_field_by_field(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.post("/api/applications", {**PAYLOAD, "handle": "a b", "url": "nope",
                                                    "login_identity": "x@gmail.com"})
        self.assertEqual(response.status_code, 400)
        errors = response.json()["errors"]
        self.assertIn("handle", errors)
        self.assertIn("url", errors)
        self.assertFalse(Application.objects.exists())

    def test_it_reports_a_broken_rule_with_its_reason(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.post("/api/applications", {**PAYLOAD, "login_identity": "me@gmail.com"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("P7", response.json()["errors"]["login_identity"][0])

    def test_it_rejects_a_malformed_body(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/api/applications", data="{not json",
                                    content_type="application/json")
        self.assertIn(response.status_code, (400, 422))
        response = self.post("/api/applications", {"agency": "alpha"})
        self.assertEqual(response.status_code, 422)

    def test_it_edits_an_account_with_a_reason(self):
        account = self.approved_account()
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.patch(f"/api/accounts/{account.pk}",
                                     data={"reason": "Serves minors.", "sensitive_audience": True},
                                     content_type="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(Account.objects.get().sensitive_audience)

    def test_it_enforces_csrf_for_session_writes(self):
        client = Client(enforce_csrf_checks=True)
        self.login(self.person(Role.AGENCY_ADMIN), client)
        response = client.post("/api/applications", data=PAYLOAD, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Application.objects.exists())

    def test_it_validates_ownership(self):
        application = self.submitted_application()
        self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        self.assertEqual(self.client.get(f"/api/applications/{application.pk}").status_code, 404)
        response = self.post("/api/applications", PAYLOAD)
        self.assertEqual(response.status_code, 404)
        response = self.post(f"/api/applications/{application.pk}/withdraw", {"reason": "x"})
        self.assertEqual(response.status_code, 404)
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.SUBMITTED)
        self.assertEqual(self.client.get("/api/applications").json(), [])
