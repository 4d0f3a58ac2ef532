"""P10: individual official accounts are public property and stay when the person leaves."""

from django.core.exceptions import ValidationError
from django.urls import get_resolver

from civicsocial.registry import services
from civicsocial.registry.models import Account, AccountType, Role
from civicsocial.testing import BaseTestCase


class OffboardingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.official = self.person(Role.EDITOR)
        self.successor = self.person(Role.APPROVER)
        self.account = self.approved_account(account_type=AccountType.INDIVIDUAL,
                                             owner=self.official, handle="@alpha_chief")
        self.admin = self.person(Role.AGENCY_ADMIN)

    def test_it_moves_individual_accounts_to_the_successor(self):
        moved = services.offboard(self.admin, self.official, self.alpha, self.successor,
                                  "Left the city.")
        self.assertEqual(moved, [self.account])
        self.account.refresh_from_db()
        self.assertEqual(self.account.owner, self.successor)
        self.official.refresh_from_db()
        self.assertFalse(self.official.is_active)
        self.assertFalse(self.official.role_assignments.exists())
        self.assertEqual(Account.objects.count(), 1)

    def test_it_requires_a_successor_for_an_owner(self):
        with self.assertRaisesMessage(ValidationError, "takes them over"):
            services.offboard(self.admin, self.official, self.alpha, None, "Left.")
        self.account.refresh_from_db()
        self.assertEqual(self.account.owner, self.official)
        self.assertTrue(self.official.role_assignments.exists())

    def test_it_ends_the_persons_authorizations(self):
        self.trained(self.official)
        services.authorize(self.admin, self.official, self.account)
        services.offboard(self.admin, self.official, self.alpha, self.successor, "Left.")
        self.assertIsNotNone(self.account.authorizations.get().revoked_at)

    def test_it_refuses_a_vendor_successor(self):
        from civicsocial.registry.models import PersonKind
        self.successor.kind = PersonKind.VENDOR
        self.successor.save()
        with self.assertRaises(ValidationError):
            services.offboard(self.admin, self.official, self.alpha, self.successor, "Left.")

    def test_it_hands_over_the_central_contact(self):
        services.set_central_contact(self.ods, self.alpha, self.official)
        services.offboard(self.admin, self.official, self.alpha, self.successor, "Left.")
        self.alpha.refresh_from_db()
        self.assertEqual(self.alpha.central_contact, self.successor)

    def test_it_offboards_through_the_page(self):
        self.login(self.admin)
        response = self.client.post(f"/people/{self.official.pk}/offboard/",
                                    {"successor": self.successor.pk, "reason": "Retired."})
        self.assertEqual(response.status_code, 302)
        self.account.refresh_from_db()
        self.assertEqual(self.account.owner, self.successor)

    def test_it_has_no_way_to_delete_an_account(self):
        self.login(self.ods)
        page, api = f"/accounts/{self.account.pk}/", f"/api/accounts/{self.account.pk}"
        self.assertEqual(self.client.get(page).status_code, 200)  # both exist...
        self.assertEqual(self.client.get(api).status_code, 200)
        self.assertEqual(self.client.delete(api).status_code, 405)  # ...and neither deletes
        self.assertIn(self.client.delete(page).status_code, (200, 405))
        self.assertIn(self.client.post(page).status_code, (200, 405))
        names = [p.name or "" for p in get_resolver().url_patterns if hasattr(p, "name")]
        self.assertFalse([n for n in names if "delete" in n and "account" in n])
        self.assertTrue(Account.objects.filter(pk=self.account.pk).exists())

    def test_it_validates_ownership(self):
        self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        response = self.client.post(f"/people/{self.official.pk}/offboard/",
                                    {"successor": self.successor.pk, "reason": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.official.role_assignments.exists())
