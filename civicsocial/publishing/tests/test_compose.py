"""Composing (issue 19): each platform's length counted its own way, images with alt
text, send times in the city's time zone, and only authorized, trained authors (P4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404

from civicsocial.publishing import compose
from civicsocial.publishing.limits import check_post, graphemes, mastodon_length, x_weighted_length
from civicsocial.publishing.sendtime import to_utc
from civicsocial.publishing.tests.base import PublishingCity, png
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase, make_person

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467"  # one grapheme, five code points


class LimitsTestCase(BaseTestCase):
    def test_it_counts_graphemes_for_bluesky(self):
        self.assertEqual(graphemes(FAMILY * 3), 3)
        self.assertEqual(check_post("bluesky", FAMILY * 300, "", []).problems, ())
        self.assertIn("1 over the limit of 300", check_post("bluesky", FAMILY * 301, "", []).problems[0])

    def test_it_counts_links_as_23_on_mastodon_and_x(self):
        link = "https://www.nyc.gov/site/parks/" + "a" * 200
        self.assertEqual(mastodon_length(f"Pools {link}"), 6 + 23)
        self.assertEqual(x_weighted_length(f"Pools {link}"), 6 + 23)
        self.assertEqual(x_weighted_length("公園"), 4)  # CJK weighs two on X

    def test_it_appends_the_link_and_counts_it(self):
        counter = check_post("x", "a" * 260, "https://nyc.gov/parks", [])
        self.assertEqual(counter.used, 260 + 1 + 23)
        self.assertTrue(counter.problems)

    def test_it_requires_an_image_on_instagram(self):
        problems = check_post("instagram", "Hi", "", []).problems
        self.assertIn("Instagram: a post needs at least one image.", problems)


class SendTimeTestCase(BaseTestCase):
    def test_it_stores_the_city_wall_clock_in_utc(self):
        self.assertEqual(to_utc(datetime(2027, 7, 4, 9, 0)), datetime(2027, 7, 4, 13, 0, tzinfo=UTC))
        self.assertEqual(to_utc(datetime(2027, 1, 4, 9, 0)), datetime(2027, 1, 4, 14, 0, tzinfo=UTC))

    def test_it_refuses_a_time_inside_the_spring_forward_gap(self):
        with self.assertRaisesMessage(ValidationError, "does not exist in America/New_York"):
            to_utc(datetime(2027, 3, 14, 2, 30))

    def test_it_refuses_a_time_that_happens_twice(self):
        with self.assertRaisesMessage(ValidationError, "happens twice"):
            to_utc(datetime(2027, 11, 7, 1, 30))


class ComposeTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()

    def test_it_saves_a_draft_with_its_content_hash(self):
        draft = self.draft(media=[compose.MediaInput("A map of the pool", data=png(), filename="map.png")])
        self.assertEqual(draft.media.get().content_type, "image/png")
        self.assertEqual(draft.content_hash, compose.hash_of(draft))
        self.assertEqual(len(draft.content_hash), 64)

    def test_it_requires_alt_text_for_every_image(self):
        with self.assertRaisesMessage(ValidationError, "needs alt text"):
            self.draft(media=[compose.MediaInput("  ", data=png(), filename="map.png")])

    def test_it_refuses_a_file_that_is_not_an_image(self):
        with self.assertRaisesMessage(ValidationError, "is not a JPEG, PNG, GIF or WebP image"):
            self.draft(media=[compose.MediaInput("Map", data=b"<script>x</script>", filename="map.png")])

    def test_it_refuses_a_send_time_in_the_past(self):
        with self.assertRaisesMessage(ValidationError, "is in the past"):
            self.draft(send_in=timedelta(minutes=-5))

    def test_it_refuses_a_send_time_beyond_the_horizon(self):
        with self.assertRaisesMessage(ValidationError, "schedules at most 365 days ahead"):
            self.draft(send_in=timedelta(days=400))

    def test_it_refuses_an_author_who_is_not_authorized(self):
        from civicsocial.registry import roles

        outsider = make_person("untrained-editor")
        roles.grant_role(None, outsider, self.alpha, Role.EDITOR)
        with self.assertRaisesMessage(ValidationError, "is not authorized for"):
            compose.create_draft(outsider, compose.DraftInput("Hello", [self.account]))

    def test_it_validates_ownership(self):
        other = self.approved_account(agency=self.bravo, platform="mastodon", handle="@transit",
                                      url="https://example.org/@transit",
                                      login_identity="social@bravo.nyc.gov")
        with self.assertRaisesMessage(ValidationError, "is not an account of this agency"):
            self.draft(accounts=[self.account, other])
        with self.assertRaises(Http404):  # Bravo's editor cannot draft for Alpha at all
            compose.create_draft(self.person(Role.EDITOR, "bravo"), compose.DraftInput("Hi", [self.account]))

    def test_it_makes_a_new_revision_when_an_approved_step_is_edited(self):
        from civicsocial.publishing import approvals

        draft = approvals.submit(self.person(Role.EDITOR), self.draft())
        draft = self.approve(draft, self.person(Role.APPROVER))  # one step: approved
        edited = compose.edit_draft(self.person(Role.EDITOR), draft, compose.DraftInput(
            "The pool on Elm Street opens Sunday at 10.", [self.account], send_at=draft.send_at))
        self.assertEqual(edited.revision, 2)
        self.assertEqual(edited.status, "in_review")
        self.assertEqual(approvals.next_step(edited), 1)

    def test_it_counts_against_the_mastodon_instances_own_limit(self):
        from unittest import mock

        from django.core.cache import cache

        from civicsocial.platforms.adapters.mastodon import MastodonAdapter

        cache.clear()
        [counter] = compose.counters([self.account], "x" * 600, "", [])
        self.assertEqual((counter.limit, counter.used), (500, 600))  # what the instance says
        cache.clear()
        with mock.patch.object(MastodonAdapter, "max_characters", return_value=1000):
            [counter] = compose.counters([self.account], "x" * 600, "", [])
        self.assertEqual((counter.limit, counter.problems), (1000, ()))
        cache.clear()
