"""P14 (issue 18): anyone on the agency's staff reports a compromise from the account's
page; the incident page shows the timeline; its report exports as JSON and PDF; ODS alone
decides; another agency's incident is not found."""

from __future__ import annotations

import io
import json

from django.core import mail
from pypdf import PdfReader

from civicsocial.incidents.models import Incident, IncidentStatus
from civicsocial.registry.credentials import store_account_secret
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class IncidentPagesTestCase(BaseTestCase):
    def setUp(self):
        self.account = self.approved_account()

    def report(self, role=Role.EDITOR, summary="A post about free crypto that nobody here wrote"):
        client = self.login(self.person(role))
        with self.captureOnCommitCallbacks(execute=True):
            answer = client.post(f"/accounts/{self.account.pk}/incident/", {"summary": summary})
        return client, answer

    def test_it_reports_from_the_account_page_and_shows_the_timeline(self):
        client, answer = self.report()
        incident = Incident.objects.get()
        self.assertRedirects(answer, incident.get_absolute_url(), fetch_redirect_response=False)
        account_page = client.get(self.account.get_absolute_url())
        self.assertContains(account_page, "frozen (P14)")
        self.assertContains(account_page, incident.number)
        page = client.get(incident.get_absolute_url())
        self.assertContains(page, "Notice sent to ODS &lt;ods-security@demo.nyc.gov&gt;")
        self.assertContains(page, "free crypto")
        self.assertNotContains(page, "ODS decision")  # ODS's alone
        self.assertEqual(len(mail.outbox), 3)  # alpha has no central contact: on the timeline instead

    def test_it_escapes_a_hostile_summary(self):
        client, _ = self.report(summary='<script>alert("x")</script> nobody wrote this')
        page = client.get(Incident.objects.get().get_absolute_url())
        self.assertNotContains(page, '<script>alert("x")</script>')
        self.assertContains(page, "&lt;script&gt;")

    def test_it_exports_the_report_as_json_and_pdf(self):
        client, _ = self.report()
        incident = Incident.objects.get()
        data = json.loads(client.get(f"/incidents/{incident.pk}/report.json").content)
        self.assertEqual(data["incident"], incident.number)
        self.assertEqual([e["what"] for e in data["timeline"]][:2], ["Reported", "Notice sent to ODS "
                                                                     "<ods-security@demo.nyc.gov>"])
        answer = client.get(f"/incidents/{incident.pk}/report.pdf")
        self.assertEqual(answer["Content-Type"], "application/pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
        self.assertIn(incident.number, text)
        self.assertIn("free crypto", text)

    def test_it_lets_only_ods_resolve_and_says_why_not_yet(self):
        self.report()
        incident = Incident.objects.get()
        admin = self.login(self.person(Role.AGENCY_ADMIN))
        admin.post(f"/incidents/{incident.pk}/act/", {"act": "resolve", "text": "all clear"})
        ods = self.login(self.ods)
        page = ods.post(f"/incidents/{incident.pk}/act/", {"act": "resolve", "text": "all clear"},
                        follow=True)
        self.assertContains(page, "Rotate the account&#x27;s credentials first")
        store_account_secret(self.ods, self.account, "new-token-after-incident", "access_token", False,
                             "rotated")
        ods.post(f"/incidents/{incident.pk}/act/", {"act": "resolve", "text": "Rotated; posts removed"})
        incident.refresh_from_db()
        self.assertEqual(incident.status, IncidentStatus.RESOLVED)
        self.assertEqual(incident.resolved_by, self.ods)

    def test_it_adds_platform_support_to_the_timeline(self):
        client, _ = self.report()
        incident = Incident.objects.get()
        client.post(f"/incidents/{incident.pk}/act/", {"act": "platform_contacted",
                                                       "text": "Bluesky support ticket 4711"})
        self.assertContains(client.get(incident.get_absolute_url()), "Bluesky support ticket 4711")

    def test_it_validates_ownership(self):
        self.report()
        incident = Incident.objects.get()
        other = self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        for path in (incident.get_absolute_url(), f"/incidents/{incident.pk}/report.json",
                     f"/incidents/{incident.pk}/report.pdf", f"/accounts/{self.account.pk}/incident/"):
            with self.subTest(path=path):
                self.assertEqual(other.get(path).status_code, 404)
        act = other.post(f"/incidents/{incident.pk}/act/", {"act": "note", "text": "x"})
        self.assertEqual(act.status_code, 404)
        self.assertNotContains(other.get("/incidents/"), incident.number)
