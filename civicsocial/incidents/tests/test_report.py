"""P14 (issue 18): a reported compromise freezes the account at once, tells ODS, the
city's cyber command and City Hall's press office first and the agency's central contact
after, each delivery on the timeline; a frozen account acts on no platform while capture
goes on; only ODS lifts the freeze, with a reason, after the credentials were rotated."""

from __future__ import annotations

import os
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from civicsocial.inbox.models import InboxEntry
from civicsocial.inbox.referral import refer_to_311
from civicsocial.incidents import services
from civicsocial.incidents.models import Incident, IncidentStatus, StepKind
from civicsocial.incidents.timeline import captured, timeline
from civicsocial.platforms.adapters.frozen import AccountFrozen
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.tests.mastodon import adapter as resident_adapter
from civicsocial.platforms.tests.mastodon import shared_server, token
from civicsocial.registry.credentials import store_account_secret
from civicsocial.registry.models import Platform, Role
from civicsocial.testing import BaseTestCase

CITY_FIRST = ["ods-security@demo.nyc.gov", "cyber-command@demo.nyc.gov", "press-office@demo.nyc.gov"]


class IncidentReportTestCase(BaseTestCase):
    def setUp(self):
        self.account = self.approved_account(platform=Platform.MASTODON, handle="@parks",
                                             url=f"{shared_server().base_url}/@parks")
        patcher = mock.patch.dict(os.environ, {secret_variable("mastodon", "@parks"): token("parks")})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.contact = self.person(Role.AGENCY_ADMIN)
        self.alpha.central_contact = self.contact
        self.alpha.save()
        mail.outbox.clear()

    def report(self, role=Role.MODERATOR, **changes):
        with self.captureOnCommitCallbacks(execute=True):  # the notices go out on commit
            return services.report(self.person(role), self.account,
                                   changes.get("summary", "A post nobody wrote"),
                                   changes.get("known_good_at"))

    def test_it_freezes_the_account_and_tells_the_city_first_then_the_agency(self):
        incident = self.report()
        self.account.refresh_from_db()
        self.assertIsNotNone(self.account.frozen_at)
        self.assertEqual([m.to for m in mail.outbox], [[a] for a in [*CITY_FIRST, self.contact.email]])
        self.assertIn(incident.number, mail.outbox[0].subject)
        steps = list(incident.steps.values_list("kind", "recipient"))
        self.assertEqual([k for k, _ in steps], [StepKind.REPORTED] + [StepKind.NOTICE] * 4)
        self.assertIn("ods-security@demo.nyc.gov", steps[1][1])
        self.assertAlmostEqual(incident.known_good_at, incident.reported_at - timedelta(hours=24),
                               delta=timedelta(seconds=5))

    def test_it_records_a_notice_that_was_not_delivered_and_tells_the_others(self):
        real = mail.get_connection

        def failing(*args, **kwargs):
            connection = real(*args, **kwargs)
            send = connection.send_messages

            def send_messages(messages):
                if "cyber-command@demo.nyc.gov" in messages[0].to:
                    raise ConnectionRefusedError("smtp down")
                return send(messages)

            connection.send_messages = send_messages
            return connection

        self.alpha.central_contact = None
        self.alpha.save()
        with mock.patch("django.core.mail.get_connection", failing):
            incident = self.report()
        kinds = dict(incident.steps.values_list("recipient", "kind"))
        self.assertEqual(kinds["NYC Cyber Command <cyber-command@demo.nyc.gov>"], StepKind.NOTICE_FAILED)
        self.assertEqual(kinds["City Hall press office <press-office@demo.nyc.gov>"], StepKind.NOTICE)
        self.assertEqual(kinds["Alpha Department central contact (no address configured)"],
                         StepKind.NOTICE_FAILED)
        self.assertEqual(len(mail.outbox), 2)

    def test_it_acts_on_no_platform_while_capture_goes_on(self):
        city = adapter_for(self.account)
        post = city.publish("Pool hours this week", "inc-post")
        reply = resident_adapter("resident").publish("@parks is the pool open?", "inc-reply",
                                                     reply_to=post.item_id)
        capture_account(self.account)
        entry = InboxEntry.objects.get(item__platform_id=reply.item_id)
        self.report()
        frozen = adapter_for(self.account)
        for act in (lambda: frozen.publish("Free crypto!", "attacker"), lambda: frozen.hide(reply.item_id),
                    lambda: frozen.delete(post.item_id)):
            with self.assertRaisesMessage(AccountFrozen, "frozen by a security incident"):
                act()
        with self.assertRaisesMessage(ValidationError, "frozen by a security incident"):
            refer_to_311(self.person(Role.MODERATOR), entry)
        intruder = city.publish("Send your bank details to win", "intruder-post")  # with the stolen token
        capture_account(self.account)  # capture still reads, and keeps the evidence
        incident = Incident.objects.get()
        self.assertIn(intruder.item_id, [v.item.platform_id for v in captured(incident)])

    def test_it_lifts_the_freeze_only_for_ods_with_a_reason_after_rotation(self):
        incident = self.report()
        with self.assertRaises(PermissionDenied):
            services.resolve(self.person(Role.AGENCY_ADMIN), incident, "all clear")
        with self.assertRaisesMessage(ValidationError, "Rotate the account's credentials first"):
            services.resolve(self.ods, incident, "all clear")
        with self.assertRaisesMessage(ValidationError, "Give the reason"):
            services.resolve(self.ods, incident, " ")
        store_account_secret(self.person(Role.AGENCY_ADMIN), self.account, token("parks"), "access_token",
                             False, "rotated after INC")
        services.resolve(self.ods, incident, "Token rotated, sessions revoked, posts removed")
        incident.refresh_from_db()
        self.account.refresh_from_db()
        self.assertEqual(incident.status, IncidentStatus.RESOLVED)
        self.assertIsNone(self.account.frozen_at)
        adapter_for(self.account).publish("We are back: an earlier post was not ours", "after")
        whats = [e.what for e in timeline(incident)]
        self.assertIn("Credentials rotated in the vault", whats)
        self.assertEqual(whats[-1], "Resolved: freeze lifted")

    def test_it_keeps_one_live_incident_an_account(self):
        self.report()
        with self.assertRaisesMessage(ValidationError, "is already open"):
            self.report(role=Role.EDITOR)

    def test_it_refuses_an_empty_summary_and_a_future_known_good_moment(self):
        with self.assertRaisesMessage(ValidationError, "Say what was seen"):
            self.report(summary="  ")
        with self.assertRaisesMessage(ValidationError, "cannot be in the future"):
            self.report(known_good_at=timezone.now() + timedelta(hours=1))
        self.account.refresh_from_db()
        self.assertIsNone(self.account.frozen_at)

    def test_it_opens_a_suspected_incident_for_ods_to_confirm(self):
        with self.captureOnCommitCallbacks(execute=True):
            incident = services.detect(self.account, "Profile name changed to 'Free Giveaways' "
                                                     "(not in the registry)")
        self.assertEqual(incident.status, IncidentStatus.SUSPECTED)
        self.account.refresh_from_db()
        self.assertIsNone(self.account.frozen_at)  # not until ODS confirms
        self.assertEqual([m.to for m in mail.outbox], [["ods-security@demo.nyc.gov"]])
        self.assertIsNone(services.detect(self.account, "again"))  # one live incident
        with self.captureOnCommitCallbacks(execute=True):
            services.confirm(self.ods, incident, "The name change was not ours")
        self.account.refresh_from_db()
        self.assertIsNotNone(self.account.frozen_at)

    def test_it_lets_ods_dismiss_a_detection_that_was_no_compromise(self):
        incident = services.detect(self.account, "Bio changed")
        services.resolve(self.ods, incident, "The agency updated its bio and forgot the registry",
                         dismiss=True)
        incident.refresh_from_db()
        self.assertEqual(incident.status, IncidentStatus.DISMISSED)

    def test_it_validates_ownership(self):
        with self.assertRaises(Http404):  # another agency's account: not even its existence
            services.report(self.person(Role.MODERATOR, "bravo"), self.account, "not theirs")
        self.assertFalse(Incident.objects.exists())
