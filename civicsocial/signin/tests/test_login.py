"""P13: logins. Argon2 hashes, strong passwords, throttled failures, TOTP for privileged roles."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry.models import Person, Role
from civicsocial.registry.roles import grant_role
from civicsocial.security.models import AuditEvent
from civicsocial.signin.enrolment import issue_code
from civicsocial.testing import BaseTestCase, current_code, make_person

STRONG = "quartz-meadow-violin-harbor-42"


class LoginTestCase(BaseTestCase):
    def test_it_hashes_passwords_with_argon2(self):
        person = make_person("hashme", password=STRONG)
        self.assertTrue(person.password.startswith("argon2$"))

    def test_it_rejects_guessable_passwords(self):
        person = Person(username="jdoe", first_name="John", last_name="Doe")
        for weak in ("password1234", "jdoe-jdoe-jdoe", "qwertyuiop123", "Password2026!", "iloveyou12345"):
            with self.assertRaises(ValidationError, msg=weak):
                validate_password(weak, person)
        validate_password(STRONG, person)

    def test_it_logs_in_a_moderator_without_a_second_factor(self):
        moderator = self.person(Role.MODERATOR)
        moderator.set_password(STRONG)
        moderator.save()
        response = self.client.post("/login/", {"username": moderator.username,
                                                "password": STRONG})
        self.assertRedirects(response, "/")

    def test_it_requires_a_second_factor_for_an_agency_admin(self):
        admin = self.person(Role.AGENCY_ADMIN)
        admin.set_password(STRONG)
        admin.save()
        self.client.post("/login/", {"username": admin.username, "password": STRONG})
        response = self.client.get("/accounts/")
        self.assertRedirects(response, "/second-factor/setup/?next=/accounts/",
                             fetch_redirect_response=False)
        api = self.client.get("/api/accounts")
        self.assertEqual(api.status_code, 403)

    def test_it_enrols_and_verifies_a_totp_device(self):
        counsel = self.person(Role.COUNSEL)
        counsel.set_password(STRONG)
        counsel.save()
        self.client.post("/login/", {"username": counsel.username, "password": STRONG})
        page = self.client.get("/second-factor/setup/")
        self.assertContains(page, "<svg")
        device = TOTPDevice.objects.get(user=counsel)
        bad = self.client.post("/second-factor/setup/", {"token": "000000", "enrolment_code": "x"})
        self.assertContains(bad, "did not match")
        device.refresh_from_db()
        self.assertEqual(device.throttling_failure_count, 1)  # django-otp slows guessing
        device.throttle_reset()  # as if the person waited out the delay
        code = f"{totp(device.bin_key):06d}"
        enrolment = issue_code(self.ods, counsel)
        response = self.client.post("/second-factor/setup/?next=/accounts/",
                                    {"token": code, "enrolment_code": enrolment})
        self.assertRedirects(response, "/accounts/")
        self.assertEqual(self.client.get("/accounts/").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="second_factor.enrolled").exists())

    def test_it_asks_an_enrolled_person_for_a_code_at_each_login(self):
        admin = self.person(Role.AGENCY_ADMIN)
        admin.set_password(STRONG)
        admin.save()
        self.login(admin)  # enrols a device
        self.client.logout()
        self.client.post("/login/", {"username": admin.username, "password": STRONG})
        self.assertRedirects(self.client.get("/"), "/second-factor/verify/?next=/",
                             fetch_redirect_response=False)
        response = self.client.post("/second-factor/verify/", {"token": current_code(admin)})
        self.assertRedirects(response, "/")

    def test_it_throttles_repeated_failed_logins(self):
        person = make_person("target", password=STRONG)
        grant_role(self.ods, person, self.alpha, Role.VIEWER)
        for _ in range(5):
            response = self.client.post("/login/", {"username": "target", "password": "wrong"})
        self.assertEqual(response.status_code, 429)
        # Locked out even with the right password now.
        response = self.client.post("/login/", {"username": "target", "password": STRONG})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed logins", status_code=429)

    def test_it_does_not_redirect_to_another_site_after_verifying(self):
        admin = self.person(Role.AGENCY_ADMIN)
        self.client.force_login(admin)
        self.login(admin)
        self.client.logout()
        self.client.force_login(admin)
        response = self.client.post("/second-factor/verify/?next=https://evil.example/",
                                    {"token": current_code(admin)})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
