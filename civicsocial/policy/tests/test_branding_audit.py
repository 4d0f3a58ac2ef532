"""The branding audit (P8, P9): every new profile snapshot is judged once, each failure
is named, a campaign account approved under P9 is exempt, and the compliance report
lists failing accounts with the snapshot as evidence."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from unittest import mock

from django.core.management import call_command
from django.utils import timezone

from civicsocial.platforms.adapters.base import profile_text
from civicsocial.policy import branding
from civicsocial.policy.branding import audit_new_profiles, audit_unaudited, judge
from civicsocial.policy.checks import run_checks
from civicsocial.policy.logo import LogoOutcome
from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.models import BrandingAudit
from civicsocial.policy.tests.test_logo_match import on_green
from civicsocial.records.archive import archive_captures
from civicsocial.records.capture import parse_capture
from civicsocial.registry import services
from civicsocial.registry.models import AccountType, Role
from civicsocial.testing import BaseTestCase

BRANDED = {"name": "NYC Parks", "bio": "Official account of NYC Parks. "
           "Policy: https://www.nyc.gov/socialmediapolicy", "links": [], "verified": True}


def picture(with_logo: bool) -> bytes:
    return on_green(draw_reference_logo(220) if with_logo else None)


class ProfileSnapshotTestCase(BaseTestCase):
    """A base: an approved account whose profile snapshots are archived and audited."""

    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()
        self.minutes = 0

    def snapshot(self, profile: dict, avatar: bytes | None = None) -> list[BrandingAudit]:
        self.minutes += 1
        at = (timezone.now() + timedelta(minutes=self.minutes)).isoformat()
        media = [{"url": "https://cdn.example/a.png", "content_type": "image/png",
                  "data": base64.b64encode(avatar).decode()}] if avatar else []
        archive_captures([parse_capture({
            "platform": "bluesky", "account": self.account.handle, "item_id": "profile",
            "kind": "profile", "author": self.account.handle,
            "text": profile_text(profile.get("name", ""), profile.get("bio", ""),
                                 profile.get("links", []), bool(profile.get("verified"))),
            "created_at": "2026-01-01T00:00:00Z",
            "captured_at": at, "media": media, "raw": {"profile": profile}})])
        return audit_new_profiles(self.account)


class BrandingAuditTestCase(ProfileSnapshotTestCase):
    def test_it_passes_a_branded_profile(self):
        judgement = judge(BRANDED, picture(True))
        self.assertEqual(judgement.failures, [])
        self.assertEqual(judgement.logo, LogoOutcome.MATCH)
        self.assertTrue(judgement.passed)

    def test_it_names_each_failure(self):
        cases = [
            ({**BRANDED}, picture(False), "does not show the city logo"),
            ({**BRANDED}, None, "no profile picture"),
            ({**BRANDED, "bio": "Official account."}, picture(True), "no link to the user policy"),
            ({**BRANDED, "bio": "Parks news. https://nyc.gov/socialmediapolicy"}, picture(True),
             "does not say the account is official"),
            ({**BRANDED, "name": "Parks Dept"}, picture(True), "does not show it is city property"),
            ({**BRANDED, "verified": False}, picture(True), "no verification mark"),
        ]
        for profile, avatar, expected in cases:
            failures = judge(profile, avatar).failures
            self.assertEqual(len(failures), 1, (expected, failures))
            self.assertIn(expected, failures[0])

    def test_it_accepts_the_policy_link_in_the_profile_links(self):
        profile = {**BRANDED, "bio": "Official account.", "links": ["nyc.gov/socialmediapolicy/"]}
        self.assertEqual(judge(profile, picture(True)).failures, [])

    def test_it_audits_each_new_snapshot_once(self):
        first = self.snapshot(BRANDED, picture(True))
        self.assertEqual(len(first), 1)
        self.assertTrue(first[0].passed)
        self.assertEqual(self.snapshot(BRANDED, picture(True)), [])  # unchanged: not archived again
        changed = self.snapshot({**BRANDED, "verified": False}, picture(True))
        self.assertFalse(changed[0].passed)
        self.assertEqual(BrandingAudit.objects.filter(account=self.account).count(), 2)

    def test_it_exempts_a_campaign_account_approved_under_p9(self):
        application = self.submitted_application(account_type=AccountType.CAMPAIGN,
                                                 handle="@alpha_campaign")
        services.counsel_signoff(self.person(Role.COUNSEL), application, "Reviewed.")
        self.account = services.decide_application(self.ods, application, True, "P9").account
        audit = self.snapshot({"name": "Summer Fun", "bio": "", "links": []}, picture(False))[0]
        self.assertTrue(audit.passed)
        self.assertTrue(audit.exempt)
        self.assertTrue(audit.failures)  # still recorded, for the record

    def test_it_reports_failing_accounts_with_the_snapshot_as_evidence(self):
        self.snapshot({**BRANDED, "name": "Parks Dept"}, picture(True))
        result = next(r for r in run_checks(self.alpha) if r.pid == "P8")
        self.assertFalse(result.passed)
        self.assertIn("does not show it is city property", result.details[0])
        self.assertIn("profile snapshot v1 captured", result.details[0])

    def test_it_reports_accounts_with_no_profile_captured(self):
        result = next(r for r in run_checks(self.alpha) if r.pid == "P8")
        self.assertIn("no profile captured yet", result.details[0])

    def test_it_validates_ownership(self):
        self.snapshot({**BRANDED, "name": "Parks Dept"}, picture(True))
        alpha = self.account
        self.account = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                             login_identity="social@bravo.nyc.gov")
        self.snapshot({**BRANDED, "verified": False}, picture(True))
        bravo = next(r for r in run_checks(self.bravo) if r.pid == "P8")
        self.assertFalse(bravo.passed)
        self.assertTrue(any("@bravo_news" in d for d in bravo.details))  # its own failure
        self.assertFalse(any(alpha.handle in d for d in bravo.details))  # never alpha's


class BrandingSweepTestCase(ProfileSnapshotTestCase):
    def snapshot_unannounced(self) -> None:
        """A snapshot archived without the audit hearing of it (the audit was down)."""
        archive_captures([parse_capture({
            "platform": "bluesky", "account": self.account.handle, "item_id": "profile",
            "kind": "profile", "author": self.account.handle,
            "text": profile_text("Parks Dept", BRANDED["bio"], [], True),
            "created_at": "2026-01-01T00:00:00Z", "captured_at": timezone.now().isoformat(),
            "raw": {"profile": {**BRANDED, "name": "Parks Dept"}}})])

    def test_it_audits_what_the_audit_after_capture_missed(self):
        self.snapshot_unannounced()
        self.assertFalse(BrandingAudit.objects.exists())
        self.assertEqual(audit_unaudited(), 1)
        self.assertEqual(audit_unaudited(), 0)  # once
        failures = " ".join(BrandingAudit.objects.get().failures)
        self.assertIn("does not show it is city property", failures)

    def test_it_goes_on_when_one_accounts_audit_fails(self):
        self.snapshot_unannounced()
        other = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                      url="https://bsky.example/bravo_news")
        self.account, kept = other, self.account
        self.snapshot_unannounced()
        real, failing = branding.audit_snapshot, [kept]

        def judging(account, version):
            if account in failing:
                failing.clear()
                raise ValueError("an avatar no decoder foresaw")
            return real(account, version)

        with mock.patch.object(branding, "audit_snapshot", judging), \
                self.assertLogs("civicsocial.policy.branding", "ERROR"):
            self.assertEqual(audit_unaudited(), 1)  # the other account was audited
        self.assertEqual(audit_unaudited(), 1)  # and the failed one on the next sweep
        self.assertEqual({a.account for a in BrandingAudit.objects.all()}, {kept, other})

    def test_it_sweeps_from_the_command_line(self):
        self.snapshot_unannounced()
        out = io.StringIO()
        call_command("branding", "audit", stdout=out)
        self.assertEqual(out.getvalue().strip(), "1 profile snapshot(s) audited")
