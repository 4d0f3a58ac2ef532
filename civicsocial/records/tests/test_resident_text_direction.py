"""Residents' words in every page read in their own direction (issue 15): each piece of a
resident's text sits in an element with dir="auto" (or a <bdi>), so Arabic or Hebrew
among English reads right to left and does not reorder the words around it."""

from __future__ import annotations

from html.parser import HTMLParser

from civicsocial.inbox.models import InboxEntry
from civicsocial.inbox.services import triage_new_items
from civicsocial.records.models import ArchivedItem, FoilCase
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase

ARABIC = "الرصيف مكسور في شارع الملك"  # "the pavement is broken on King Street"
HEBREW = "רחוב"  # "street"
REQUESTER = "مريم حداد"


class Isolation(HTMLParser):
    """For each text node holding `needle`: whether an element around it isolates its
    direction (dir="auto" or <bdi>)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle, self.open, self.found = needle, [], []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag == "bdi" or ("dir", "auto") in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.needle in data:
            self.found.append(any(self.open))


def isolated(page: str, needle: str) -> list[bool]:
    parser = Isolation(needle)
    parser.feed(page)
    return parser.found


class ResidentTextDirectionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.approved_account()  # @alpha_news
        archive(line("c1", account="@alpha_news", author=f"@{HEBREW}", text=f"{ARABIC} 5th Ave"))
        triage_new_items()
        self.item = ArchivedItem.objects.get(platform_id="c1")

    def assert_isolated(self, url: str, needle: str) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        found = isolated(response.content.decode(), needle)
        self.assertTrue(found, f"{needle!r} not on {url}")
        self.assertTrue(all(found), f"{needle!r} shown without dir=auto on {url}")

    def test_it_isolates_residents_words_in_the_archive_and_the_inbox(self):
        self.login(self.person(Role.RECORDS_OFFICER))
        self.assert_isolated(f"/archive/items/{self.item.pk}/", ARABIC)
        self.assert_isolated(f"/archive/items/{self.item.pk}/", HEBREW)
        self.assert_isolated("/archive/?q=5th", "Ave")
        self.login(self.person(Role.MODERATOR))
        self.assert_isolated("/inbox/", ARABIC)
        self.assert_isolated("/inbox/", HEBREW)
        self.assert_isolated(InboxEntry.objects.get().get_absolute_url(), ARABIC)
        self.assert_isolated(InboxEntry.objects.get().get_absolute_url(), HEBREW)

    def test_it_isolates_a_requesters_name_and_notes_on_the_foil_case(self):
        self.login(self.person(Role.COUNSEL))
        self.client.post("/foil/new/", {"requester": REQUESTER, "received_on": "2026-11-20",
                                        "agency": self.alpha.pk, "queries": "5th",
                                        "notes": ARABIC})
        case = FoilCase.objects.get()
        self.assert_isolated(f"/foil/{case.pk}/", REQUESTER)
        self.assert_isolated(f"/foil/{case.pk}/", ARABIC)
