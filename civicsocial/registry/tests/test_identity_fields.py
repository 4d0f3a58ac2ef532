"""Issue 12, finding 6: handles and names refuse bidirectional controls, control and
invisible characters, and words that mix scripts with look-alike letters, on every
path (pages, API, CSV import, services); names in any one script per word stay welcome."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from tempfile import mkdtemp

from django.core.exceptions import ValidationError
from django.core.management import call_command

from civicsocial.registry import services
from civicsocial.registry.models import Account, Agency, Person, Role
from civicsocial.testing import BaseTestCase

RTL_OVERRIDE = "dsny\u202egro.ynsd"  # shows as "dsnydsny.org"
BAD_HANDLES = [RTL_OVERRIDE, "@nyc\u200bparks", "@nyc\x07parks", "@nyc.p\u0430rks", "@a\u2066b\u2069"]
GOOD_NAMES = ["José Núñez", "Ahmed محمد", "王小明", "O'Brien-Smith", "Łukasz Wiśniewski"]


class IdentityFieldsTestCase(BaseTestCase):
    def test_it_refuses_hostile_handles_in_the_service(self):
        for handle in BAD_HANDLES:
            with self.assertRaises(ValidationError, msg=repr(handle)) as caught:
                services.create_application(self.person(Role.AGENCY_ADMIN),
                                            self.application_data(handle=handle))
            self.assertIn("handle", caught.exception.message_dict, repr(handle))

    def test_it_refuses_hostile_handles_in_the_api(self):
        api = self.login(self.person(Role.AGENCY_ADMIN))
        for handle in BAD_HANDLES:
            data = {**self.application_data(handle=handle), "agency": "alpha"}
            response = api.post("/api/applications", data, content_type="application/json")
            self.assertEqual(response.status_code, 400, repr(handle))

    def test_it_refuses_hostile_handles_in_a_csv_import(self):
        path = Path(mkdtemp()) / "accounts.csv"
        path.write_text("agency,platform,handle,url,login_identity\n"
                        f"alpha,bluesky,{RTL_OVERRIDE},https://bsky.example/x,social@alpha.nyc.gov\n",
                        encoding="utf-8")
        out, err = StringIO(), StringIO()
        with self.assertRaises(SystemExit):  # exits 1 when a row was rejected
            call_command("import_accounts", str(path), "--reason", "legacy list", stdout=out, stderr=err)
        self.assertIn(f"{path}:2:", err.getvalue() + out.getvalue())
        self.assertFalse(Account.objects.exists())

    def test_it_refuses_hostile_names_for_people_and_agencies(self):
        self.login(self.ods)
        response = self.client.post("/agencies/alpha/people/new/", {
            "username": "mallory", "first_name": "Mal\u202elory", "last_name": "X",
            "email": "m@alpha.nyc.gov", "kind": "employee", "role": Role.VIEWER})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Person.objects.filter(username="mallory").exists())
        response = self.client.post("/agencies/new/", {
            "name": "Dep\u0430rtment of Parks", "slug": "parks2", "acronym": "DPR",
            "email_domains": "parks.nyc.gov"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Agency.objects.filter(slug="parks2").exists())

    def test_it_welcomes_names_written_in_any_script(self):
        self.login(self.ods)
        for n, name in enumerate(GOOD_NAMES):
            first, _, last = name.partition(" ")
            response = self.client.post("/agencies/alpha/people/new/", {
                "username": f"person{n}", "first_name": first, "last_name": last or "X",
                "email": f"p{n}@alpha.nyc.gov", "kind": "employee", "role": Role.VIEWER})
            self.assertEqual(response.status_code, 302, name)

    def test_it_validates_ownership(self):
        response = self.login(self.person(Role.AGENCY_ADMIN, "bravo")).post(
            "/agencies/alpha/people/new/", {"username": "x1", "first_name": "A", "last_name": "B",
                                            "email": "x@bravo.example", "kind": "employee",
                                            "role": Role.VIEWER})
        self.assertEqual(response.status_code, 404)
