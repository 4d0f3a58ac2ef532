"""P5 and P14 (issue 19): an official post the archive captured that no approved draft
produced ("posted outside Civic Social") is flagged once: the agency admins and ODS are
told, a suspected incident is opened, and the compliance report lists it with the
archived item as evidence. Posts sent from drafts are linked to them instead."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from civicsocial.incidents.models import Incident, IncidentStatus
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.tests.mastodon import adapter
from civicsocial.policy.checks import run_checks
from civicsocial.publishing import sending
from civicsocial.publishing.matching import GRACE, flag_outside_posts
from civicsocial.publishing.models import OutsidePost
from civicsocial.publishing.tests.base import PublishingCity
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class OutsidePostTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()

    def send_one_draft(self) -> None:
        with self.captureOnCommitCallbacks(execute=False):
            draft = self.approve(self.submitted(text=f"From a draft {secrets.token_hex(3)}", send_in=None),
                                 self.person(Role.APPROVER))
        sending.dispatch()
        self.assertEqual(draft.targets.get().state, "sent")

    def later(self):
        return timezone.now() + GRACE + timedelta(minutes=1)

    def test_it_flags_a_post_made_outside_civic_social(self):
        self.send_one_draft()
        phone = adapter("parks")  # the platform's own app, as far as Civic Social can tell
        outside = phone.publish(f"Posted from the phone {secrets.token_hex(3)}", secrets.token_hex(8))
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            capture_account(self.account)
            self.assertEqual(flag_outside_posts(self.later()), 1)
        flagged = OutsidePost.objects.get()
        self.assertEqual(flagged.item.platform_id, outside.item_id)
        self.assertEqual(flagged.incident.status, IncidentStatus.SUSPECTED)
        recipients = {address for message in mail.outbox for address in message.to}
        self.assertIn(self.person(Role.AGENCY_ADMIN).email, recipients)
        self.assertIn("ods-security@demo.nyc.gov", recipients)
        [p5] = [r for r in run_checks(self.alpha) if r.title.startswith("Every official post")]
        self.assertFalse(p5.passed)
        self.assertIn(flagged.item.get_absolute_url(), p5.details[0])

    def test_it_links_posts_sent_from_drafts_and_flags_nothing(self):
        self.send_one_draft()
        capture_account(self.account)
        self.assertEqual(flag_outside_posts(self.later()), 0)
        self.assertFalse(OutsidePost.objects.exists())
        self.assertIsNotNone(self.account.targets.get().archived_item)

    def test_it_flags_each_post_once(self):
        self.send_one_draft()
        adapter("parks").publish(f"Outside {secrets.token_hex(3)}", secrets.token_hex(8))
        capture_account(self.account)
        self.assertEqual(flag_outside_posts(self.later()), 1)
        self.assertEqual(flag_outside_posts(self.later()), 0)
        self.assertEqual(Incident.objects.count(), 1)

    def test_it_judges_no_account_that_never_published_through_civic_social(self):
        adapter("parks").publish(f"Before Civic Social {secrets.token_hex(3)}", secrets.token_hex(8))
        capture_account(self.account)
        self.assertEqual(flag_outside_posts(self.later()), 0)
