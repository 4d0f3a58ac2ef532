"""A NUL character in a query string, a form field or a JSON body gets 400 before any
view runs, on SQLite and PostgreSQL alike (PostgreSQL cannot store or compare it: a
search for one was a 500 there, found by the API fuzz). Uploaded files may hold any
bytes; nothing stored changes."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from civicsocial.records.models import FoilCase
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class NulCharactersTestCase(BaseTestCase):
    def test_it_refuses_a_nul_in_an_api_query(self):
        client = self.login(self.person(Role.RECORDS_OFFICER))
        for query, field in (("kind=%00", "kind"), ("q=pot%00hole", "q"),
                             ("account=%00&author=x", "account")):
            response = client.get(f"/api/archive/search?{query}")
            self.assertEqual(response.status_code, 400, query)
            self.assertIn("NUL", response.json()["detail"])
            self.assertIn(field, response.json()["detail"])

    def test_it_refuses_a_nul_in_a_page_query_and_a_form(self):
        client = self.login(self.person(Role.RECORDS_OFFICER))
        self.assertEqual(client.get("/archive/?q=%00").status_code, 400)
        self.assertEqual(client.get("/inbox/?label=%00").status_code, 400)
        response = client.post("/foil/new/", {"requester": "Ann\x00", "received_on": "2026-11-20"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(FoilCase.objects.exists())

    def test_it_refuses_a_nul_in_a_json_body(self):
        client = self.login(self.person(Role.RECORDS_OFFICER))
        body = json.dumps({"agency": "alpha", "requester": "Ann\x00", "received_on": "2026-11-20"})
        response = client.post("/api/foil", body, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["detail"],
                         "Text may not contain NUL characters (\\x00): requester.")
        self.assertFalse(FoilCase.objects.exists())

    def test_it_lets_an_escaped_backslash_and_a_binary_upload_through(self):
        client = self.login(self.person(Role.RECORDS_OFFICER))
        body = json.dumps({"agency": "alpha", "requester": "C:\\\\u0000 path", "received_on": "2026-11-20"})
        self.assertNotEqual(client.post("/api/foil", body, content_type="application/json").status_code, 400)
        upload = SimpleUploadedFile("capture.jsonl", b"\x00\x01binary",
                                    content_type="application/octet-stream")
        response = self.login(self.ods).post("/archive/imports/", {"file": upload})
        self.assertNotEqual(response.status_code, 400)

    def test_it_names_a_query_field_once_whichever_of_its_values_holds_the_nul(self):
        client = self.login(self.person(Role.RECORDS_OFFICER))
        detail = client.get("/api/archive/search?kind=x&kind=%00").json()["detail"]
        self.assertEqual(detail, "Text may not contain NUL characters (\\x00): kind.")

