"""Issue 14 (P8): a picture the logo match is unsure of goes to ODS once. The audit
awaits ODS and the compliance report says so instead of guessing; ODS's decision is
kept with the image's hash and used for every profile that shows the same picture; only
ODS decides; the pictures are shown only to ODS."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied

from civicsocial.policy.branding import awaiting_logos, decide_logo
from civicsocial.policy.checks import run_checks
from civicsocial.policy.logo import LogoOutcome, logo_verdict
from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.models import BrandingAudit, LogoDecision
from civicsocial.policy.tests.test_branding_audit import BRANDED, ProfileSnapshotTestCase
from civicsocial.policy.tests.test_logo_match import on_green
from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent


def half_hidden() -> bytes:
    """The city's mark with a sticker over part of one letter: the matcher is unsure."""
    return on_green(draw_reference_logo(220), sticker=(190, 150, 250, 200))


class LogoDecisionTestCase(ProfileSnapshotTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.picture = half_hidden()
        self.digest = hashlib.sha256(self.picture).hexdigest()
        self.assertEqual(logo_verdict(self.picture).outcome, LogoOutcome.UNSURE)  # the premise

    def p8(self, agency=None):
        return next(r for r in run_checks(agency or self.alpha) if r.pid == "P8")

    def test_it_awaits_ods_instead_of_guessing(self):
        audit = self.snapshot(BRANDED, self.picture)[0]
        self.assertTrue(audit.awaiting_ods)
        self.assertFalse(audit.passed)
        self.assertEqual(audit.failures, [])
        result = self.p8()
        self.assertEqual(result.state, "awaiting ODS")
        self.assertIn("awaiting ODS", result.details[0])
        self.assertEqual([p["sha256"] for p in awaiting_logos()], [self.digest])

    def test_it_applies_the_decision_to_every_profile_with_that_picture(self):
        self.snapshot(BRANDED, self.picture)
        self.assertEqual(decide_logo(self.ods, self.digest, True), 1)
        self.assertTrue(BrandingAudit.objects.get(account=self.account).passed)
        self.assertEqual(self.p8().state, "pass")
        self.assertEqual(awaiting_logos(), [])
        self.assertTrue(AuditEvent.objects.filter(action="logo.decide").exists())
        # A later profile showing the same picture is judged by the decision, not asked again.
        self.account = self.approved_account(handle="@alpha_second")
        audit = self.snapshot(BRANDED, self.picture)[0]
        self.assertTrue(audit.passed)
        self.assertEqual(audit.logo_outcome, LogoOutcome.MATCH)

    def test_it_fails_the_profile_when_ods_says_no(self):
        self.snapshot(BRANDED, self.picture)
        decide_logo(self.ods, self.digest, False)
        audit = BrandingAudit.objects.get(account=self.account)
        self.assertFalse(audit.passed)
        self.assertIn("ODS decided the picture does not show the city logo", audit.failures[0])
        self.assertEqual(self.p8().state, "fail")

    def test_it_lets_only_ods_decide(self):
        self.snapshot(BRANDED, self.picture)
        for role in (Role.AGENCY_ADMIN, Role.COUNSEL, Role.MODERATOR):
            with self.assertRaises(PermissionDenied):
                decide_logo(self.person(role), self.digest, True)
        self.assertFalse(LogoDecision.objects.exists())
        response = self.login(self.person(Role.AGENCY_ADMIN)).post(
            "/compliance/logos/", {"sha256": self.digest, "shows_logo": "yes"})
        self.assertEqual(response.status_code, 403)

    def test_it_shows_the_queue_and_records_a_decision_from_the_page(self):
        self.snapshot(BRANDED, self.picture)
        client = self.login(self.ods)
        page = client.get("/compliance/logos/").content.decode()
        self.assertIn(f"/compliance/logos/{self.digest}.png", page)
        self.assertIn(self.account.handle, page)
        picture = client.get(f"/compliance/logos/{self.digest}.png")
        self.assertEqual(picture["Content-Type"], "image/png")
        client.post("/compliance/logos/", {"sha256": self.digest, "shows_logo": "yes"})
        self.assertTrue(LogoDecision.objects.get(avatar_sha256=self.digest).shows_logo)
        self.assertIn("Nothing awaiting", client.get("/compliance/logos/").content.decode())

    def test_it_refuses_bad_input_without_changing_anything(self):
        self.snapshot(BRANDED, self.picture)
        client = self.login(self.ods)
        for data in ({"sha256": "x" * 64, "shows_logo": "yes"}, {"sha256": self.digest},
                     {"sha256": "0" * 64, "shows_logo": "no"}):
            response = client.post("/compliance/logos/", data, follow=True)
            self.assertEqual(response.status_code, 200)
        self.assertFalse(LogoDecision.objects.exists())
        self.assertEqual(client.get(f"/compliance/logos/{'0' * 64}.png").status_code, 404)

    def test_it_validates_ownership(self):
        self.snapshot(BRANDED, self.picture)
        bravo_admin = self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        self.assertEqual(bravo_admin.get("/compliance/logos/").status_code, 403)
        self.assertEqual(bravo_admin.get(f"/compliance/logos/{self.digest}.png").status_code, 403)
        bravo_admin.logout()
        anonymous = bravo_admin.get(f"/compliance/logos/{self.digest}.png")
        self.assertTrue(anonymous["Location"].startswith("/login/"))
        self.assertEqual(self.p8(self.bravo).details, [d for d in self.p8(self.bravo).details
                                                       if self.account.handle not in d])
