"""The publishing pages (issue 19): compose with the preview and errors beside the field,
the post page with its approvals, the approval queue, the calendar and its iCalendar
feed, the approval chain; another agency gets 404 everywhere."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicsocial.publishing.models import Draft
from civicsocial.publishing.tests.base import PublishingCity, png
from civicsocial.registry import roles
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class PublishingPagesTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()
        self.tomorrow = timezone.localtime() + timedelta(days=1)

    def compose(self, **changes):
        data = {"accounts": [self.account.pk], "text": "Pools open Saturday.", "kind": "original",
                "send_at": self.tomorrow.strftime("%Y-%m-%dT%H:%M"), "save": "1"}
        data.update(changes)
        return self.login(self.person(Role.EDITOR)).post("/posts/new/", data)

    def test_it_saves_a_draft_with_an_image_and_sends_it_for_approval(self):
        answer = self.compose(submit="1", image_1=SimpleUploadedFile("pool.png", png(), "image/png"),
                              alt_1="The pool at Elm Street")
        draft = Draft.objects.get()
        self.assertRedirects(answer, draft.get_absolute_url())
        self.assertEqual(draft.status, "in_review")
        self.assertEqual(draft.media.get().alt_text, "The pool at Elm Street")
        self.assertEqual(timezone.localtime(draft.send_at).strftime("%H:%M"), self.tomorrow.strftime("%H:%M"))

    def test_it_shows_errors_beside_the_field(self):
        answer = self.compose(send_at="2027-03-14T02:30")
        self.assertContains(answer, "does not exist in America/New_York", status_code=400)
        answer = self.compose(image_1=SimpleUploadedFile("pool.png", png(), "image/png"), alt_1=" ")
        self.assertContains(answer, "needs alt text", status_code=400)
        self.assertFalse(Draft.objects.exists())

    def test_it_previews_each_platforms_count(self):
        answer = self.compose(text="x" * 501, preview="1", save="")
        self.assertContains(answer, "501 / 500 characters")
        self.assertContains(answer, "1 over the limit of 500")
        counters = self.client.post("/posts/preview/", {"accounts": [self.account.pk],
                                                        "text": "é" * 10}).json()
        self.assertEqual(counters["counters"][0]["used"], 10)

    def test_it_lets_the_next_approver_decide_on_the_post_page(self):
        draft = self.submitted()
        page = self.login(self.person(Role.APPROVER)).get(draft.get_absolute_url())
        self.assertContains(page, "Approve step 1")
        self.assertContains(self.client.get("/posts/queue/"), f"#{draft.pk}")
        self.client.post(f"/posts/{draft.pk}/act/", {"act": "approve", "content_hash": draft.content_hash,
                                                     "step": "1"})
        draft.refresh_from_db()
        self.assertEqual(draft.status, "approved")

    def test_it_refuses_self_approval_in_the_page(self):
        both = self.person(Role.EDITOR)
        roles.grant_role(None, both, self.alpha, Role.APPROVER)
        draft = self.submitted()
        page = self.login(both).get(draft.get_absolute_url())
        self.assertNotContains(page, "Approve step 1")
        self.assertContains(page, "Nobody approves their own draft")
        self.assertContains(self.client.get("/posts/queue/"), "Nothing waits for you.")
        answer = self.client.post(f"/posts/{draft.pk}/act/",
                                  {"act": "approve", "content_hash": draft.content_hash}, follow=True)
        self.assertContains(answer, "Nobody approves their own draft")
        draft.refresh_from_db()
        self.assertEqual(draft.status, "in_review")

    def test_it_shows_the_calendar_and_its_feed(self):
        draft = self.submitted()
        day = timezone.localtime(draft.send_at).date()
        page = self.login(self.person(Role.VIEWER)).get(f"/posts/calendar/?day={day}&view=week")
        self.assertContains(page, self.account.handle)
        feed = self.client.get("/agencies/alpha/posts.ics")
        self.assertEqual(feed["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn(b"BEGIN:VEVENT", feed.content)
        self.assertIn(f"{draft.uid}-{self.account.pk}@civicsocial".encode(), feed.content)

    def test_it_sets_an_approval_chain(self):
        answer = self.login(self.person(Role.AGENCY_ADMIN)).post(
            f"/accounts/{self.account.pk}/approval-chain/",
            {"role_1": "approver", "role_2": "", "people_2": [self.person(Role.COUNSEL).pk]})
        self.assertEqual(answer.status_code, 302)
        self.assertEqual(list(self.account.approval_steps.values_list("position", "role")),
                         [(1, "approver"), (2, "")])

    def test_it_validates_ownership(self):
        draft = self.submitted()
        bravo = self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        for path in (draft.get_absolute_url(), f"/posts/{draft.pk}/edit/", "/agencies/alpha/posts.ics",
                     f"/accounts/{self.account.pk}/approval-chain/"):
            self.assertEqual(bravo.get(path).status_code, 404, path)
        withdrawn = bravo.post(f"/posts/{draft.pk}/act/", {"act": "withdraw", "reason": "x"})
        self.assertEqual(withdrawn.status_code, 404)
        self.assertNotContains(bravo.get("/posts/new/"), self.account.handle)
        self.assertNotContains(bravo.get("/posts/calendar/"), self.account.handle)
