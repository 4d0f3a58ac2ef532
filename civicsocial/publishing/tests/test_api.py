"""The publishing API (issue 19): drafting, approving and reading the schedule with the
pages' permissions; errors as JSON."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicsocial.publishing.tests.base import PublishingCity
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class PublishingApiTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()

    def create(self, **changes):
        payload = {"accounts": [self.account.pk], "text": "Leaf pickup starts Monday.",
                   "send_at": (timezone.now() + timedelta(days=2)).isoformat(), "submit": True}
        payload.update(changes)
        editor = self.login(self.person(Role.EDITOR))
        return editor.post("/api/posts", payload, content_type="application/json")

    def test_it_drafts_approves_and_schedules(self):
        created = self.create()
        self.assertEqual(created.status_code, 201, created.content)
        draft = created.json()
        self.assertEqual((draft["status"], draft["next_step"]), ("in_review", 1))
        self.login(self.person(Role.APPROVER))
        self.assertEqual([d["id"] for d in self.client.get("/api/posts/queue").json()], [draft["id"]])
        decided = self.client.post(f"/api/posts/{draft['id']}/decision",
                                   {"decision": "approve", "content_hash": draft["content_hash"], "step": 1},
                                   content_type="application/json")
        self.assertEqual(decided.json()["status"], "approved")
        self.assertEqual(decided.json()["approvals"][0]["content_hash"], draft["content_hash"])
        scheduled = self.client.get("/api/posts/schedule?days=7").json()
        self.assertEqual([s["draft"] for s in scheduled], [draft["id"]])

    def test_it_serves_the_calendar_feed_to_a_token(self):
        from civicsocial.signin import tokens

        draft = self.create().json()
        _, secret = tokens.issue(self.person(Role.VIEWER), "calendar", [self.alpha], ["view_agency"], 30)
        self.client.logout()
        feed = self.client.get("/api/agencies/alpha/posts.ics", HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.assertEqual(feed.status_code, 200)
        self.assertIn(b"BEGIN:VCALENDAR", feed.content)
        self.assertIn(f"/posts/{draft['id']}/".encode(), feed.content)

    def test_it_answers_errors_as_json(self):
        answer = self.create(send_at="2027-03-14T02:30:00")
        self.assertEqual(answer.status_code, 400)
        self.assertIn("does not exist", answer.json()["errors"]["send_at"][0])
        self.assertEqual(self.create(text=" ").json()["errors"]["text"], ["Write the post, or add an image."])

    def test_it_refuses_self_approval(self):
        draft = self.create().json()
        answer = self.client.post(f"/api/posts/{draft['id']}/decision",
                                  {"decision": "approve", "content_hash": draft["content_hash"]},
                                  content_type="application/json")
        self.assertEqual(answer.status_code, 403)

    def test_it_validates_ownership(self):
        draft = self.create().json()
        bravo = self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        self.assertEqual(bravo.get(f"/api/posts/{draft['id']}").status_code, 404)
        self.assertEqual(bravo.get("/api/posts").json(), [])
        answer = bravo.post("/api/posts", {"accounts": [self.account.pk], "text": "Hi"},
                            content_type="application/json")
        self.assertEqual(answer.status_code, 400)
        self.assertIn("accounts", answer.json()["errors"])
