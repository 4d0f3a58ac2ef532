"""The account page shows where capture stands: last success, lag, last error
(escaped), and a flag when nothing was captured for an hour."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicsocial.platforms.models import CaptureState
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class CaptureStatusPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()
        self.viewer = self.login(self.person(Role.VIEWER))

    def page(self) -> str:
        return self.client.get(self.account.get_absolute_url()).content.decode()

    def test_it_shows_the_last_capture_and_its_lag(self):
        CaptureState.objects.create(account=self.account, last_success_at=timezone.now(),
                                    last_lag_seconds=2.34, versions_archived=41)
        page = self.page()
        self.assertIn("2.3 s", page)
        self.assertIn("41", page)
        self.assertNotIn("none in the last hour", page)

    def test_it_flags_an_account_not_captured_for_an_hour_and_escapes_the_error(self):
        CaptureState.objects.create(account=self.account,
                                    last_success_at=timezone.now() - timedelta(hours=2),
                                    last_error="<script>alert(1)</script>", last_error_at=timezone.now())
        page = self.page()
        self.assertIn("none in the last hour", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertNotIn("<script>alert(1)", page)

    def test_it_says_when_an_account_was_never_captured(self):
        self.assertIn("Not captured yet.", self.page())

    def test_it_validates_ownership(self):
        CaptureState.objects.create(account=self.account, last_error="secret detail")
        other = self.login(self.person(Role.VIEWER, "bravo"))
        response = other.get(self.account.get_absolute_url())
        self.assertEqual(response.status_code, 404)

    def test_it_warns_ahead_when_the_platform_token_expires(self):
        state = CaptureState.objects.create(account=self.account, last_success_at=timezone.now(),
                                            credentials_expire_at=timezone.now() + timedelta(days=50))
        self.assertIn("Platform token expires", self.page())
        self.assertNotIn("renew it now", self.page())
        state.credentials_expire_at = timezone.now() + timedelta(days=5)
        state.save()
        self.assertIn("renew it now", self.page())
