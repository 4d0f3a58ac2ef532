"""`civicsocial publishing due|status|dispatch|flag-outside` (issue 19)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.management import call_command

from civicsocial.publishing.tests.base import PublishingCity
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class PublishingCommandTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command("publishing", *args, stdout=out)
        return out.getvalue()

    def test_it_lists_the_posts_due_soon(self):
        with self.captureOnCommitCallbacks(execute=False):
            soon = self.approve(self.submitted(text="Due soon", send_in=timedelta(minutes=30)),
                                self.person(Role.APPROVER))
            later = self.submitted(text="Due next week", send_in=timedelta(days=7))
            self.approve(later, self.person(Role.APPROVER))
        listed = self.run_command("due", "--minutes", "60")
        self.assertIn("Due soon", listed)
        self.assertIn(str(soon.pk), listed)
        self.assertNotIn("Due next week", listed)

    def test_it_counts_posts_by_state_and_names_the_vendor(self):
        self.submitted()
        with self.captureOnCommitCallbacks(execute=False):
            self.approve(self.submitted(), self.person(Role.APPROVER))
        status = self.run_command("status")
        self.assertIn("waiting", status)
        self.assertIn("queued", status)
        self.assertIn("Vendor (P12): not configured", status)

    def test_it_runs_the_duties(self):
        self.assertIn("sent: 0", self.run_command("dispatch"))
        self.assertIn("0 post(s) flagged", self.run_command("flag-outside"))
