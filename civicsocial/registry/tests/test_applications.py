"""P2, P9: applications for new accounts and ODS decisions."""

from django.core.exceptions import ValidationError

from civicsocial.registry import roles, services
from civicsocial.registry.models import (
    Account,
    AccountType,
    Application,
    ApplicationStatus,
    PersonKind,
    Role,
)
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase, make_person


class ApplicationPagesTestCase(BaseTestCase):
    def form(self, **changes):
        data = {"agency": self.alpha.pk, "platform": "bluesky", "handle": "@alpha_news",
                "url": "https://bsky.example/alpha_news", "account_type": "agency",
                "login_identity": "social@alpha.nyc.gov",
                "justification": "Residents on Bluesky need service alerts from Alpha.",
                "continuity_plan": "Two admins; credentials in the vault."}
        data.update(changes)
        return data

    def test_it_submits_an_application(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/", self.form())
        application = Application.objects.get()
        self.assertRedirects(response, f"/applications/{application.pk}/")
        self.assertEqual(application.status, ApplicationStatus.SUBMITTED)
        self.assertTrue(AuditEvent.objects.filter(action="application.created").exists())

    def test_it_saves_a_draft(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        self.client.post("/applications/new/", {**self.form(), "save_as": "draft"})
        self.assertEqual(Application.objects.get().status, ApplicationStatus.DRAFT)

    def test_it_reports_bad_input_field_by_field_and_saves_nothing(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/", self.form(
            handle="has space", url="not a url", justification="short",
            login_identity="someone@gmail.com"))
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertIn("handle", errors)
        self.assertIn("url", errors)
        self.assertIn("justification", errors)
        self.assertFalse(Application.objects.exists())

    def test_it_rejects_a_login_identity_the_agency_does_not_own(self):
        """P7: the agency keeps the account's login."""
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/",
                                    self.form(login_identity="intern@gmail.com"))
        self.assertContains(response, "address the agency owns", status_code=400)
        self.assertFalse(Application.objects.exists())

    def test_it_rejects_a_vendor_owner(self):
        vendor = make_person("vendor", kind=PersonKind.VENDOR)
        roles.grant_role(self.ods, vendor, self.alpha, Role.VIEWER)
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/", self.form(
            account_type="individual", owner=vendor.pk))
        self.assertContains(response, "vendor cannot own", status_code=400)

    def test_it_requires_a_topic_statement_for_topic_limited_accounts(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/", self.form(topic_limited="on"))
        self.assertIn("topic_statement", response.context["form"].errors)

    def test_it_rejects_a_handle_already_registered(self):
        self.approved_account()
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/applications/new/", self.form())
        self.assertContains(response, "already registered", status_code=400)

    def test_it_lets_ods_deny_with_a_reason(self):
        application = self.submitted_application(continuity_plan="")
        self.login(self.ods)
        response = self.client.post(f"/applications/{application.pk}/decide/",
                                    {"decision": "deny", "reason": "No continuity plan."})
        self.assertRedirects(response, f"/applications/{application.pk}/")
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.DENIED)
        self.assertEqual(application.decision_reason, "No continuity plan.")
        self.assertFalse(Account.objects.exists())

    def test_it_requires_a_reason_for_a_decision(self):
        application = self.submitted_application()
        self.login(self.ods)
        response = self.client.post(f"/applications/{application.pk}/decide/",
                                    {"decision": "approve", "reason": ""})
        self.assertEqual(response.status_code, 400)
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.SUBMITTED)

    def test_it_only_lets_ods_decide(self):
        application = self.submitted_application()
        for role in (Role.AGENCY_ADMIN, Role.COUNSEL, Role.EDITOR):
            self.login(self.person(role))
            response = self.client.post(f"/applications/{application.pk}/decide/",
                                        {"decision": "approve", "reason": "ok"})
            self.assertEqual(response.status_code, 403, role)
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.SUBMITTED)

    def test_it_validates_ownership(self):
        application = self.submitted_application()
        self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        self.assertEqual(self.client.get(f"/applications/{application.pk}/").status_code, 404)
        response = self.client.post(f"/applications/{application.pk}/withdraw/", {"reason": "x"})
        self.assertEqual(response.status_code, 404)
        response = self.client.post("/applications/new/", self.form())
        self.assertIn("agency", response.context["form"].errors)
        self.assertNotContains(self.client.get("/applications/"), "@alpha_news")


class ApplicationRulesTestCase(BaseTestCase):
    def test_it_registers_the_account_on_approval(self):
        application = self.submitted_application()
        services.decide_application(self.ods, application, True, "Meets P2.")
        account = Account.objects.get()
        self.assertEqual(account.handle, "@alpha_news")
        self.assertEqual(account.agency, self.alpha)
        self.assertEqual(application.account, account)
        self.assertTrue(AuditEvent.objects.filter(action="account.registered",
                                                  actor=self.ods).exists())

    def test_it_refuses_approval_without_a_continuity_plan(self):
        """P2: ODS may not register an account without a legacy plan."""
        application = self.submitted_application(continuity_plan="")
        with self.assertRaisesMessage(ValidationError, "continuity"):
            services.decide_application(self.ods, application, True, "ok")
        self.assertFalse(Account.objects.exists())

    def test_it_reapplies_after_a_denial(self):
        denied = self.submitted_application(continuity_plan="")
        services.decide_application(self.ods, denied, False, "No plan.")
        admin = self.person(Role.AGENCY_ADMIN)
        data = self.application_data(continuity_plan="Digital unit keeps it; handover doc.")
        again = services.create_application(admin, data, previous=denied)
        self.assertEqual(again.previous, denied)
        services.decide_application(self.ods, again, True, "Plan given.")
        self.assertEqual(Account.objects.get().application, again)

    def test_it_needs_counsel_before_ods_approves_a_campaign(self):
        """P9: non-branded campaign accounts need counsel and ODS."""
        application = self.submitted_application(account_type=AccountType.CAMPAIGN)
        with self.assertRaisesMessage(ValidationError, "counsel"):
            services.decide_application(self.ods, application, True, "ok")
        services.counsel_signoff(self.person(Role.COUNSEL), application, "Reviewed.")
        services.decide_application(self.ods, application, True, "ok")
        self.assertEqual(Account.objects.get().account_type, AccountType.CAMPAIGN)

    def test_it_lets_only_counsel_sign_off(self):
        application = self.submitted_application(account_type=AccountType.CAMPAIGN)
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post(f"/applications/{application.pk}/signoff/", {"reason": "x"})
        self.assertEqual(response.status_code, 403)
        self.login(self.person(Role.COUNSEL))
        response = self.client.post(f"/applications/{application.pk}/signoff/", {"reason": "ok"})
        self.assertEqual(response.status_code, 302)
        application.refresh_from_db()
        self.assertEqual(application.counsel_signoff_by, self.person(Role.COUNSEL))

    def test_it_links_a_legacy_account_when_its_application_is_approved(self):
        data = self.application_data()
        data.pop("agency")
        legacy = services.register_existing_account(self.ods, self.alpha, data, "legacy list")
        application = self.submitted_application()
        services.decide_application(self.ods, application, True, "Plan on file.")
        self.assertEqual(Account.objects.count(), 1)
        self.assertEqual(application.account, legacy)

    def test_it_withdraws_an_open_application_only(self):
        application = self.submitted_application()
        admin = self.person(Role.AGENCY_ADMIN)
        services.withdraw_application(admin, application, "Not needed.")
        with self.assertRaises(ValidationError):
            services.withdraw_application(admin, application, "again")
