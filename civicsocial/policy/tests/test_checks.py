"""Each compliance check fails for the gap it names and passes once the gap is closed."""

import os
from datetime import timedelta
from unittest import mock

import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.inbox.review import mark_reviewed
from civicsocial.platforms.credentials import secret_variable
from civicsocial.policy.checks import run_checks
from civicsocial.registry import roles, services
from civicsocial.registry.credentials import store_account_secret
from civicsocial.registry.models import AccountType, PersonKind, Platform, PolicyElement, Role
from civicsocial.testing import BaseTestCase, freeze_clock, make_person


class ChecksTestCase(BaseTestCase):
    def setUp(self) -> None:
        freeze_clock(self)  # "today" is read here and again by each check
        super().setUp()

    def result(self, pid):
        return next(r for r in run_checks(self.alpha) if r.pid == pid)

    def test_it_cites_a_p_id_for_every_check(self):
        pids = [r.pid for r in run_checks(self.alpha)]
        self.assertEqual(pids, ["P2", "P3", "P4", "P5", "P5", "P6", "P7", "P8", "P9", "P10", "P12", "P13",
                                "P13", "P20", "P21"])

    def test_p2_flags_accounts_without_an_approved_application(self):
        self.approved_account()
        self.assertTrue(self.result("P2").passed)
        data = self.application_data(handle="@legacy")
        data.pop("agency")
        services.register_existing_account(self.ods, self.alpha, data, "legacy list")
        result = self.result("P2")
        self.assertFalse(result.passed)
        self.assertIn("@legacy", result.details[0])

    def test_p3_names_missing_roles(self):
        self.assertTrue(self.result("P3").passed)
        roles.remove_role(self.ods, self.person(Role.RECORDS_OFFICER).role_assignments.get(),
                             "left")
        result = self.result("P3")
        self.assertFalse(result.passed)
        self.assertIn("Records officer", result.reason)

    def test_p4_flags_lapsed_training_and_missing_acknowledgments(self):
        account = self.approved_account()
        editor = self.trained(self.person(Role.EDITOR))
        services.authorize(self.ods, editor, account)
        for role, person in self.people["alpha"].items():
            if role != Role.EDITOR:
                services.acknowledge_warning(person, self.alpha)
        self.assertTrue(self.result("P4").passed)
        today = timezone.localdate()
        editor.trainings.update(completed_on=today - timedelta(days=500),
                                expires_on=today - timedelta(days=1))
        self.assertIn("without current training", self.result("P4").details[0])

    def test_p4_flags_staff_who_were_not_warned(self):
        result = self.result("P4")
        self.assertFalse(result.passed)
        self.assertEqual(len(result.details), len(self.people["alpha"]))

    def test_p5_requires_counsel_approval_and_every_element(self):
        self.assertIn("No agency social media policy", self.result("P5").reason)
        admin = self.person(Role.AGENCY_ADMIN)
        policy = services.save_agency_policy(admin, self.alpha, "P", [PolicyElement.ROLES])
        self.assertIn("not approved by counsel", self.result("P5").reason)
        services.approve_agency_policy(self.person(Role.COUNSEL), policy, timezone.localdate())
        self.assertIn("referral_311", self.result("P5").reason)
        full = services.save_agency_policy(admin, self.alpha, "P2",
                                           [e.value for e in PolicyElement])
        services.approve_agency_policy(self.person(Role.COUNSEL), full, timezone.localdate())
        self.assertTrue(self.result("P5").passed)

    def test_p6_requires_a_current_central_contact(self):
        self.assertFalse(self.result("P6").passed)
        moderator = self.person(Role.MODERATOR)
        services.set_central_contact(self.ods, self.alpha, moderator)
        self.assertTrue(self.result("P6").passed)
        moderator.is_active = False
        moderator.save()
        self.assertFalse(self.result("P6").passed)

    def test_p7_flags_logins_outside_the_agency(self):
        data = self.application_data(handle="@rogue", login_identity="intern@gmail.com")
        data.pop("agency")
        services.register_existing_account(self.ods, self.alpha, data, "legacy")
        self.assertIn("intern@gmail.com", self.result("P7").details[0])

    def test_p9_flags_a_campaign_without_counsel(self):
        data = self.application_data(account_type=AccountType.CAMPAIGN, handle="@camp")
        data.pop("agency")
        services.register_existing_account(self.ods, self.alpha, data, "legacy")
        self.assertIn("no counsel sign-off", self.result("P9").details[0])

    def test_p10_flags_an_account_whose_owner_left(self):
        owner = self.person(Role.EDITOR)
        self.approved_account(account_type=AccountType.INDIVIDUAL, owner=owner)
        self.assertTrue(self.result("P10").passed)
        owner.role_assignments.all().delete()
        self.assertFalse(self.result("P10").passed)

    def test_p13_flags_privileged_staff_without_a_second_factor(self):
        self.assertFalse(self.result("P13").passed)
        for role in (Role.AGENCY_ADMIN, Role.COUNSEL):
            TOTPDevice.objects.create(user=self.person(role), name="phone", confirmed=True)
        self.assertTrue(self.result("P13").passed)

    def test_p13_flags_credentials_outside_the_vault_or_due_for_rotation(self):
        account = self.approved_account()

        def outcome():
            return next(r for r in run_checks(self.alpha) if r.title.startswith("Platform credentials"))

        self.assertTrue(outcome().passed)  # no credential at all: read without signing in
        with mock.patch.dict(os.environ, {secret_variable(account.platform, account.handle): "env-token-1"}):
            self.assertEqual(outcome().details, [f"{account}: credential in an environment variable, "
                                                 "not the vault"])
            store_account_secret(self.ods, account, "vault-token-1", "app_password", False, "moved")
            self.assertTrue(outcome().passed)
        with time_machine.travel(timezone.now() + timedelta(days=90)):
            self.assertEqual(outcome().details, [f"{account}: credential set 90 days ago (rotate every 90)"])
        self.alpha.secret_rotation_days = 180
        self.alpha.save()
        with time_machine.travel(timezone.now() + timedelta(days=90)):
            self.assertTrue(outcome().passed)

    def test_p20_requires_a_review_of_the_current_terms(self):
        self.approved_account(platform=Platform.MASTODON)
        self.assertIn("no terms version", self.result("P20").reason + self.result("P20").details[0])
        terms = services.record_terms(self.ods, Platform.MASTODON, "v1", timezone.localdate())
        self.assertFalse(self.result("P20").passed)
        services.record_tos_review(self.ods, self.alpha, terms, timezone.localdate())
        self.assertTrue(self.result("P20").passed)

    def test_p21_flags_an_account_not_reviewed_for_a_day(self):
        account = self.approved_account()
        self.assertTrue(self.result("P21").passed)
        account.registered_at = timezone.now() - timedelta(hours=25)
        account.save()
        result = self.result("P21")
        self.assertFalse(result.passed)
        self.assertIn(account.handle, result.details[0])
        mark_reviewed(self.person(Role.MODERATOR), account)
        self.assertTrue(self.result("P21").passed)

    def test_it_ignores_vendor_kind_for_non_owners(self):
        vendor = make_person("contractor", kind=PersonKind.VENDOR)
        roles.grant_role(self.ods, vendor, self.alpha, Role.VIEWER)
        self.approved_account()
        self.assertTrue(self.result("P7").passed)
