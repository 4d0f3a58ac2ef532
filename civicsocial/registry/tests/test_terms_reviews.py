"""P20: platform terms versions and each agency's reviews of them."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from civicsocial.registry import services
from civicsocial.registry.models import Platform, Role, TosReview
from civicsocial.testing import BaseTestCase, freeze_clock


class TermsReviewTestCase(BaseTestCase):
    def setUp(self) -> None:
        freeze_clock(self)  # "today" is read here and again by the code under test
        super().setUp()
        self.terms = services.record_terms(self.ods, Platform.BLUESKY, "2026-03",
                                           timezone.localdate() - timedelta(days=10))

    def test_it_records_who_reviewed_which_version_when(self):
        counsel = self.person(Role.COUNSEL)
        self.login(counsel)
        response = self.client.post("/agencies/alpha/tos-review/", {
            "terms": self.terms.pk, "reviewed_on": str(timezone.localdate()), "notes": "ok"})
        self.assertEqual(response.status_code, 302)
        review = TosReview.objects.get()
        self.assertEqual((review.reviewer, review.terms, review.agency),
                         (counsel, self.terms, self.alpha))

    def test_it_refuses_a_duplicate_review(self):
        services.record_tos_review(self.ods, self.alpha, self.terms, timezone.localdate())
        with self.assertRaises(ValidationError):
            services.record_tos_review(self.ods, self.alpha, self.terms, timezone.localdate())

    def test_it_finds_the_current_terms(self):
        newer = services.record_terms(self.ods, Platform.BLUESKY, "2026-09", timezone.localdate())
        services.record_terms(self.ods, Platform.BLUESKY, "2027-01",
                              timezone.localdate() + timedelta(days=30))
        self.assertEqual(services.current_terms(Platform.BLUESKY), newer)

    def test_it_lets_only_ods_record_terms(self):
        self.login(self.person(Role.AGENCY_ADMIN))
        response = self.client.post("/terms/new/", {"platform": "x", "version": "1",
                                                    "effective_on": "2026-01-01"})
        self.assertEqual(response.status_code, 403)
        self.login(self.ods)
        response = self.client.post("/terms/new/", {"platform": "x", "version": "1",
                                                    "effective_on": "2026-01-01"})
        self.assertRedirects(response, "/terms/")

    def test_it_validates_ownership(self):
        self.login(self.person(Role.COUNSEL, "bravo"))
        response = self.client.post("/agencies/alpha/tos-review/", {
            "terms": self.terms.pk, "reviewed_on": str(timezone.localdate())})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(TosReview.objects.exists())
