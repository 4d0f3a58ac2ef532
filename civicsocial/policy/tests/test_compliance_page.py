"""The compliance page: a chart of compliance by agency and every check's reason."""

from civicsocial.registry import services
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class CompliancePageTestCase(BaseTestCase):
    def test_it_charts_every_visible_agency(self):
        self.login(self.ods)
        response = self.client.get("/compliance/")
        self.assertContains(response, 'id="compliance-chart"')
        self.assertContains(response, "Alpha Department: ")
        self.assertContains(response, "Bravo Department: ")

    def test_it_shows_the_change_when_a_gap_is_closed(self):
        self.login(self.ods)
        before = self.client.get("/compliance/").context["report"].agencies[0].passed
        services.set_central_contact(self.ods, self.alpha, self.person(Role.MODERATOR))
        after = self.client.get("/compliance/").context["report"].agencies[0].passed
        self.assertEqual(after, before + 1)

    def test_it_validates_ownership(self):
        self.login(self.person(Role.VIEWER, "bravo"))
        response = self.client.get("/compliance/")
        self.assertNotContains(response, "Alpha Department")
        self.assertContains(response, "Bravo Department")
