"""Issue 12, finding 13 (P13): a privileged person's first second factor needs a one-time
code an ODS admin issued; a password alone never enrols an authenticator."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry.models import Role
from civicsocial.signin.enrolment import MAX_FAILURES, VALID_FOR, issue_code, use_code
from civicsocial.testing import BaseTestCase

STRONG = "harbor-lantern-pigeon-1898"


class EnrolmentCodeTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.admin = self.person(Role.AGENCY_ADMIN)
        self.admin.set_password(STRONG)
        self.admin.save()

    def enrol(self, enrolment_code: str = ""):
        self.client.post("/login/", {"username": self.admin.username, "password": STRONG})
        self.client.get("/second-factor/setup/")
        device = TOTPDevice.objects.get(user=self.admin)
        return self.client.post("/second-factor/setup/", {
            "token": f"{totp(device.bin_key):06d}", "enrolment_code": enrolment_code})

    def test_it_refuses_a_first_enrolment_with_only_a_password(self):
        response = self.enrol("")
        self.assertEqual(response.status_code, 200)  # the form again, with the field's error
        response = self.enrol("AAAA-BBBB-CCCC")
        self.assertContains(response, "not valid", status_code=400)
        self.assertFalse(TOTPDevice.objects.filter(user=self.admin, confirmed=True).exists())

    def test_it_enrols_with_the_code_an_ods_admin_issued_and_only_once(self):
        code = issue_code(self.ods, self.admin)
        self.assertRedirects(self.enrol(code), "/", fetch_redirect_response=False)
        self.assertTrue(TOTPDevice.objects.filter(user=self.admin, confirmed=True).exists())
        self.assertFalse(use_code(self.admin, code))  # spent

    def test_it_expires_and_dies_after_wrong_tries(self):
        code = issue_code(self.ods, self.admin)
        with time_machine.travel(timezone.now() + VALID_FOR + timedelta(minutes=1)):
            self.assertFalse(use_code(self.admin, code))
        fresh = issue_code(self.ods, self.admin)
        self.assertFalse(use_code(self.admin, code))  # the earlier code stopped working
        for _ in range(MAX_FAILURES):
            self.assertFalse(use_code(self.admin, "WRONG-CODE-0000"))
        self.assertFalse(use_code(self.admin, fresh))

    def test_it_lets_only_ods_issue_codes_and_never_for_themselves(self):
        with self.assertRaises(PermissionDenied):
            issue_code(self.admin, self.person(Role.COUNSEL))
        with self.assertRaises(PermissionDenied):
            issue_code(self.ods, self.ods)
        page = self.login(self.ods).post(f"/people/{self.admin.pk}/enrolment-code/")
        self.assertContains(page, 'id="enrolment-code"')
        self.assertEqual(self.login(self.admin).post(
            f"/people/{self.person(Role.EDITOR).pk}/enrolment-code/").status_code, 403)

    def test_it_issues_a_code_from_the_command_line(self):
        out = StringIO()
        call_command("enrolment_code", self.admin.username, stdout=out)
        code = out.getvalue().strip().splitlines()[-1]
        self.assertTrue(use_code(self.admin, code))

    def test_it_asks_no_code_of_people_without_a_privileged_role(self):
        editor = self.person(Role.EDITOR)
        editor.set_password(STRONG)
        editor.save()
        self.client.post("/login/", {"username": editor.username, "password": STRONG})
        self.client.get("/second-factor/setup/")
        device = TOTPDevice.objects.get(user=editor)
        response = self.client.post("/second-factor/setup/", {"token": f"{totp(device.bin_key):06d}"})
        self.assertEqual(response.status_code, 302)

    def test_it_validates_ownership(self):
        bravo = self.person(Role.AGENCY_ADMIN, "bravo")
        self.assertEqual(self.login(bravo).get(f"/people/{self.admin.pk}/enrolment-code/").status_code, 404)
