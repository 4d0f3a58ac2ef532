"""The inbox page and an item's page: what each role sees, the filters, and hostile or
odd text triaged without error and shown inert."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from django.utils import timezone

from civicsocial.inbox.models import InboxEntry, InboxState
from civicsocial.inbox.services import triage_new_items
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase

XSS = [p for p in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if p]


class ActiveContent(HTMLParser):
    """Collects anything in a page that would run: script elements, on* handlers and
    javascript: URLs (our templates have none, so any found came from the data)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "base", "meta"} and tag != "meta":
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


class InboxPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()  # @alpha_news
        self.other = self.approved_account(agency=self.bravo, handle="@bravo_news",
                                           url="https://bsky.example/bravo_news")
        archive(line("post-1", account="@alpha_news", kind="post", text="Leaf pickup Monday"),
                line("c-1", account="@alpha_news", parent_id="post-1", author="ana.bsky",
                     text="Streetlight out at 40 Court St for a week, please fix"),
                line("c-2", account="@alpha_news", parent_id="post-1", author="bo.bsky",
                     text="Thanks, that is helpful"),
                line("c-3", account="@bravo_news", author="cy.bsky", text="Bravo only comment"))
        triage_new_items()
        self.moderator = self.person(Role.MODERATOR)

    def test_it_lists_the_agencys_items_with_author_text_and_labels(self):
        page = self.login(self.moderator).get("/inbox/")
        self.assertContains(page, "Streetlight out at 40 Court St")
        self.assertContains(page, "ana.bsky")
        self.assertContains(page, "label-service_request")
        self.assertContains(page, "2 items")
        self.assertNotContains(page, "Bravo only comment")

    def test_it_filters_by_label_state_account_and_agency(self):
        client = self.login(self.person(Role.ODS_ADMIN))
        self.assertContains(client.get("/inbox/?label=service_request"), "1 item.")
        InboxEntry.objects.update(state=InboxState.NEW)
        self.assertContains(client.get("/inbox/?state=new"), "3 items")
        self.assertContains(client.get(f"/inbox/?account={self.other.pk}"), "Bravo only comment")
        page = client.get(f"/inbox/?agency={self.alpha.pk}")
        self.assertContains(page, "2 items")
        self.assertNotContains(page, "Bravo only comment")
        InboxEntry.objects.filter(item__platform_id="c-2").update(state=InboxState.ANSWERED)
        self.assertContains(client.get("/inbox/?state=answered"), "Thanks, that is helpful")

    def test_it_shows_an_item_with_its_thread_labels_and_reasons(self):
        entry = InboxEntry.objects.get(item__platform_id="c-1")
        page = self.login(self.moderator).get(entry.get_absolute_url())
        self.assertContains(page, "Leaf pickup Monday")  # the post it answers
        self.assertContains(page, "40 Court St")  # the place it names
        self.assertContains(page, "service_request")
        captured = timezone.localtime(entry.item.first_captured_at)
        self.assertContains(page, captured.strftime("%Y-%m-%d %H:%M:%S"))

    def test_it_answers_bad_filter_values_without_an_error(self):
        page = self.login(self.moderator).get("/inbox/?label=nope&state=<b>&account=abc&page=-3")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "<b>", html=False)

    def test_it_lets_a_moderator_mark_an_item_answered(self):
        entry = InboxEntry.objects.get(item__platform_id="c-2")
        answer = self.login(self.moderator).post(f"/inbox/{entry.pk}/state/", {"state": "answered"})
        self.assertRedirects(answer, entry.get_absolute_url())
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.ANSWERED)
        self.assertIsNotNone(entry.reviewed_at)

    def test_it_refuses_states_that_need_their_own_action(self):
        entry = InboxEntry.objects.get(item__platform_id="c-2")
        refused = self.login(self.moderator).post(f"/inbox/{entry.pk}/state/", {"state": "hidden"},
                                                  follow=True)
        self.assertRedirects(refused, entry.get_absolute_url())
        self.assertEqual([m.level_tag for m in refused.context["messages"]], ["error"])
        entry.refresh_from_db()
        self.assertEqual(entry.state, InboxState.NEW)

    def test_it_validates_ownership(self):
        entry = InboxEntry.objects.get(item__platform_id="c-1")
        bravo = self.login(self.person(Role.MODERATOR, "bravo"))
        self.assertEqual(bravo.get(entry.get_absolute_url()).status_code, 404)
        self.assertEqual(bravo.post(f"/inbox/{entry.pk}/state/", {"state": "answered"}).status_code, 404)
        self.assertEqual(bravo.post(f"/inbox/accounts/{self.account.pk}/reviewed/").status_code, 404)
        self.assertNotContains(bravo.get("/inbox/"), "Streetlight")
        # Within the agency, a viewer may not see the inbox and counsel may not moderate.
        self.assertEqual(self.login(self.person(Role.VIEWER)).get("/inbox/").status_code, 403)
        counsel = self.login(self.person(Role.COUNSEL))
        self.assertEqual(counsel.get(entry.get_absolute_url()).status_code, 200)
        self.assertEqual(counsel.post(f"/inbox/{entry.pk}/state/", {"state": "answered"}).status_code, 403)


class HostileTextTestCase(BaseTestCase):
    """Bad input: every odd or hostile text is triaged and shown, never run (P22 keeps it)."""

    ODD = ["", "x" * 100_000, "\x01\x02\x1b[31m\ufffd\x7f binary \udcff", "שלום, יש בור בכביש ברחוב",
           "مرحبا هناك حفرة", "🚧🚧🚧🕳️🚲💥", "\u202eevil\u202c text", "<b>bold</b> & \"quotes\""]

    def setUp(self) -> None:
        super().setUp()
        self.approved_account()
        texts = [*XSS, *self.ODD]
        archive(*[line(f"h-{n}", account="@alpha_news", author=f"<i>author{n}</i>", text=text)
                  for n, text in enumerate(texts)])
        self.added = triage_new_items()
        self.client = self.login(self.person(Role.MODERATOR))

    def assert_inert(self, html: str) -> None:
        parser = ActiveContent()
        parser.feed(html)
        self.assertEqual(parser.found, [])

    def test_it_triages_every_odd_text(self):
        self.assertEqual(self.added, len(XSS) + len(self.ODD))

    def test_it_renders_xss_payloads_inert_in_the_inbox(self):
        pages = [self.client.get(f"/inbox/?page={n}") for n in (1, 2)]
        for page in pages:
            self.assertEqual(page.status_code, 200)
            self.assert_inert(page.content.decode())
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", pages[0].content.decode() +
                      pages[1].content.decode())

    def test_it_renders_xss_payloads_inert_on_each_item_page(self):
        for entry in InboxEntry.objects.all():
            page = self.client.get(entry.get_absolute_url())
            self.assertEqual(page.status_code, 200, entry.item.platform_id)
            self.assert_inert(page.content.decode())
            self.assertNotIn("<i>author", page.content.decode())
