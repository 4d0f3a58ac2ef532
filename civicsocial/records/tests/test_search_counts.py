"""Issue 21: the first page of a search counts up to 10,000 matching items and says
"more than" beyond; the exact number comes on request: a link in the page, `count=exact`
in the API, `--count` on the command line. Paging still reaches every item."""

from __future__ import annotations

import io
import re
from unittest import mock

from django.core.management import call_command

from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase

CAP = "civicsocial.records.search.service.COUNT_CAP"


class SearchCountTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.approved_account()  # @alpha_news, registered to alpha
        archive(*[line(f"c{n}", account="@alpha_news", minutes=n, text=f"pothole number {n}")
                  for n in range(12)])
        archive(line("b1", account="@beta_news", text="pothole of another agency"))
        self.login(self.person(Role.RECORDS_OFFICER))

    def test_it_says_more_than_the_cap_and_counts_all_on_request(self):
        with mock.patch(CAP, 5):
            body = self.client.get("/archive/", {"q": "pothole"}).content.decode()
            self.assertIn("More than 5 items found; page 1.", body)
            link = re.search(r'href="\?([^"]*count=exact[^"]*)" id="count-all"', body)
            assert link is not None
            exact = self.client.get("/archive/?" + link.group(1).replace("&amp;", "&")).content.decode()
        self.assertIn("12 items found", exact)  # the agency's own: the other agency's is not counted

    def test_it_pages_past_the_cap_to_every_item(self):
        seen = []
        with mock.patch(CAP, 5):
            for page in (1, 2, 3):
                data = self.client.get("/api/archive/search",
                                       {"q": "pothole", "per_page": 5, "page": page}).json()
                self.assertEqual((data["total"], data["total_is_exact"]), (5, False))
                seen += [item["item_id"] for item in data["items"]]
            exact = self.client.get("/api/archive/search", {"q": "pothole", "count": "exact"}).json()
        self.assertEqual(sorted(seen), sorted(f"c{n}" for n in range(12)))
        self.assertEqual((exact["total"], exact["total_is_exact"]), (12, True))

    def test_it_refuses_an_unknown_count(self):
        response = self.client.get("/api/archive/search", {"q": "pothole", "count": "some"})
        self.assertEqual(response.status_code, 422)

    def test_it_counts_exactly_on_the_command_line(self):
        out = io.StringIO()
        call_command("archive", "search", "pothole", "--count", stdout=out)
        self.assertEqual(out.getvalue().strip(), "13 item(s) match.")
