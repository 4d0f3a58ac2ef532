"""Archive and FOIL pages and API: what a records officer sees, escaped and scoped."""

from civicsocial.records.models import ArchivedItem, FoilCase
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)> pothole'


class ArchivePagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.approved_account()  # @alpha_news, registered to alpha
        archive(line("c1", account="@alpha_news", text=XSS),
                line("c1", account="@alpha_news", minutes=5, text="Fixed pothole, thanks"),
                line("x1", account="@alpha_news_fake", text="Official alpha pothole news"))

    def test_it_shows_hits_with_highlights_and_escapes_hostile_text(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        body = self.client.get("/archive/", {"q": "pothole"}).content.decode()
        self.assertIn("<mark>pothole</mark>", body)
        self.assertIn("1 item found", body)
        item = ArchivedItem.objects.get(platform_id="c1")
        page = self.client.get(f"/archive/items/{item.pk}/").content.decode()
        self.assertNotIn("<script>alert", page)
        self.assertIn("&lt;script&gt;", page)
        self.assertIn("Version 2: Edited", page)

    def test_it_shows_unregistered_accounts_to_ods_only(self):
        self.login(self.ods)
        self.assertContains(self.client.get("/archive/", {"q": "pothole"}), "2 items found")
        self.assertContains(self.client.get("/archive/"), "not in the registry (P1)")

    def test_it_opens_a_case_in_the_pages_and_the_api(self):
        self.login(self.person(Role.COUNSEL))
        response = self.client.post("/foil/new/", {"requester": "Jane", "received_on": "2026-11-20",
                                                   "agency": self.alpha.pk, "queries": "pothole"})
        case = FoilCase.objects.get()
        self.assertRedirects(response, f"/foil/{case.pk}/")
        self.assertContains(self.client.get(f"/foil/{case.pk}/"), "1 item(s)")
        api = self.client.post("/api/foil", data={"agency": "alpha", "requester": "Joe",
                                                  "received_on": "2026-11-23"},
                               content_type="application/json")
        self.assertEqual(api.status_code, 201)
        self.assertEqual(api.json()["acknowledge_by"], "2026-12-01")

    def test_it_searches_through_the_api(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        data = self.client.get("/api/archive/search", {"q": "pothole"}).json()
        self.assertEqual(data["total"], 1)
        self.assertEqual(data["items"][0]["versions"], 2)
        bad = self.client.get("/api/archive/search", {"q": '"open'})
        self.assertEqual(bad.status_code, 400)

    def test_it_validates_ownership(self):
        self.login(self.person(Role.RECORDS_OFFICER, "bravo"))
        item = ArchivedItem.objects.get(platform_id="c1")
        self.assertEqual(self.client.get(f"/archive/items/{item.pk}/").status_code, 404)
        self.assertContains(self.client.get("/archive/", {"q": "pothole"}), "0 items found")
