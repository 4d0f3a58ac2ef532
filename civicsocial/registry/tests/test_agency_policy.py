"""P5, P6: the agency's own policy, approved by counsel; one central contact."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from civicsocial.registry import roles, services
from civicsocial.registry.models import PolicyElement, Role
from civicsocial.testing import BaseTestCase, freeze_clock


class AgencyPolicyTestCase(BaseTestCase):
    def setUp(self) -> None:
        freeze_clock(self)  # "today" is read here and again by the code under test
        super().setUp()

    def test_it_saves_a_version_and_counsel_approves_it(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/agencies/alpha/policy/", {
            "title": "Alpha policy", "elements": [e.value for e in PolicyElement]})
        self.assertEqual(response.status_code, 302)
        policy = self.alpha.policies.get()
        self.assertEqual(policy.missing_elements(), [])
        self.login(self.person(Role.COUNSEL))
        response = self.client.post("/agencies/alpha/policy/approve/",
                                    {"approved_on": str(timezone.localdate())})
        self.assertEqual(response.status_code, 302)
        policy.refresh_from_db()
        self.assertEqual(policy.counsel_approved_by, self.person(Role.COUNSEL))

    def test_it_lists_missing_elements(self):
        policy = services.save_agency_policy(self.person(Role.AGENCY_ADMIN), self.alpha, "P",
                                             [PolicyElement.ROLES])
        self.assertIn(PolicyElement.REFERRAL_311, policy.missing_elements())

    def test_it_rejects_an_unknown_element(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/agencies/alpha/policy/", {"title": "P",
                                                                "elements": ["made_up"]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.alpha.policies.exists())

    def test_it_refuses_a_second_approval(self):
        policy = services.save_agency_policy(self.person(Role.AGENCY_ADMIN), self.alpha, "P", [])
        counsel = self.person(Role.COUNSEL)
        services.approve_agency_policy(counsel, policy, timezone.localdate())
        with self.assertRaises(ValidationError):
            services.approve_agency_policy(counsel, policy, timezone.localdate())

    def test_it_sets_the_central_contact_among_staff_only(self):
        services.set_central_contact(self.ods, self.alpha, self.person(Role.MODERATOR))
        self.assertEqual(self.alpha.central_contact, self.person(Role.MODERATOR))
        with self.assertRaises(ValidationError):
            services.set_central_contact(self.ods, self.alpha, self.person(Role.MODERATOR, "bravo"))

    def test_it_keeps_the_central_contact_from_losing_their_last_role(self):
        moderator = self.person(Role.MODERATOR)
        services.set_central_contact(self.ods, self.alpha, moderator)
        with self.assertRaisesMessage(ValidationError, "central contact"):
            roles.remove_role(self.ods, moderator.role_assignments.get(), "reorg")

    def test_it_validates_ownership(self):
        self.login(self.person(Role.COUNSEL, "bravo"))
        services.save_agency_policy(self.person(Role.AGENCY_ADMIN), self.alpha, "P", [])
        response = self.client.post("/agencies/alpha/policy/approve/",
                                    {"approved_on": str(timezone.localdate())})
        self.assertEqual(response.status_code, 404)
        self.assertIsNone(self.alpha.policies.get().counsel_approved_on)
