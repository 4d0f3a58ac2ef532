"""P14 (issue 18): a profile change capture sees, and the agency did not announce in the
registry, opens a suspected incident for ODS to confirm (ODS is told); an announced one,
a first capture, or another account's comment opens nothing."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from civicsocial.incidents.models import Incident, IncidentStatus
from civicsocial.records.announce import archive_and_announce
from civicsocial.records.capture import parse_capture
from civicsocial.records.tests.helpers import T0, line
from civicsocial.testing import BaseTestCase


def profile(minutes: int, text: str, media: list | None = None) -> dict:
    return line("profile", minutes, kind="profile", account="@alpha_news", author="@alpha_news", text=text,
                media=media or [])


class DetectionTestCase(BaseTestCase):
    def setUp(self):
        self.account = self.approved_account()  # @alpha_news
        mail.outbox.clear()

    def capture(self, *lines: dict) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            archive_and_announce([parse_capture(dict(entry)) for entry in lines])

    def test_it_opens_a_suspected_incident_for_an_unannounced_profile_change(self):
        self.capture(profile(0, "Alpha Department\nService alerts from Alpha"))
        self.assertFalse(Incident.objects.exists())  # the first capture is no change
        self.capture(profile(10, "FREE GIVEAWAY\nClick the link to claim"))
        incident = Incident.objects.get()
        self.assertEqual((incident.account, incident.status), (self.account, IncidentStatus.SUSPECTED))
        self.assertIn("Before: Alpha Department / Service alerts from Alpha", incident.summary)
        self.assertIn("Now: FREE GIVEAWAY / Click the link to claim", incident.summary)
        self.assertEqual([m.to for m in mail.outbox], [["ods-security@demo.nyc.gov"]])
        self.account.refresh_from_db()
        self.assertIsNone(self.account.frozen_at)  # until ODS confirms
        self.capture(profile(20, "FREE GIVEAWAY 2"))
        self.assertEqual(Incident.objects.count(), 1)  # one live incident at a time

    def test_it_leaves_a_change_the_agency_announced(self):
        self.account.profile_change_expected_until = T0 + timedelta(hours=1)
        self.account.save()
        self.capture(profile(0, "Alpha Department"), profile(10, "Alpha Department (new logo)"))
        self.assertFalse(Incident.objects.exists())
        self.capture(profile(120, "Something else entirely"))  # after the window
        self.assertTrue(Incident.objects.exists())

    def test_it_ignores_what_is_not_the_accounts_profile(self):
        self.capture(line("c1", 0, account="@alpha_news"),
                     line("c1", 10, account="@alpha_news", text="edited"))
        self.capture(line("profile", 0, kind="profile", account="@unregistered"),
                     line("profile", 10, kind="profile", account="@unregistered", text="changed"))
        self.assertFalse(Incident.objects.exists())
