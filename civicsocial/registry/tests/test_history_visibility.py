"""Issue 12, finding 3: history is shown only as far as the viewer may see it. A person
with roles in two agencies has history in both; each agency sees its own."""

from civicsocial.registry import roles
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class HistoryVisibilityTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.both = self.person(Role.EDITOR)  # an alpha editor who also helps at bravo
        roles.grant_role(None, self.both, self.bravo, Role.VIEWER)
        roles.remove_role(self.ods, self.both.role_assignments.get(agency=self.alpha),
                          "zq-alpha-reason: moved teams")
        roles.grant_role(self.ods, self.both, self.alpha, Role.MODERATOR)

    def test_it_hides_another_agencys_history_on_a_persons_page(self):
        page = self.login(self.person(Role.AGENCY_ADMIN, "bravo")).get(f"/people/{self.both.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "zq-alpha-reason")
        self.assertNotContains(page, "editor@alpha")
        self.assertContains(page, "viewer@bravo")

    def test_it_shows_the_whole_history_to_the_agency_and_to_ods(self):
        for viewer in (self.person(Role.AGENCY_ADMIN), self.ods):
            page = self.login(viewer).get(f"/people/{self.both.pk}/")
            self.assertContains(page, "zq-alpha-reason")

    def test_it_validates_ownership(self):
        outsider = self.person(Role.AGENCY_ADMIN, "bravo")
        alpha_only = self.person(Role.VIEWER)
        self.assertEqual(self.login(outsider).get(f"/people/{alpha_only.pk}/").status_code, 404)
