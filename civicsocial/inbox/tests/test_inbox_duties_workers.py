"""Issue 17: the inbox's periodic duties with several workers at once. A lapse of the
daily review (P21) alerts once; a 311 request's status change (P23) is recorded once."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from civicsocial.inbox import review
from civicsocial.inbox.models import InboxEntry, OverdueAlert, Referral
from civicsocial.inbox.open311 import Open311Client
from civicsocial.inbox.referral import refresh_referrals
from civicsocial.inbox.services import triage_new_items
from civicsocial.ops import georeport_server
from civicsocial.records.tests.helpers import archive, line
from civicsocial.security.models import AuditEvent
from civicsocial.testing import WorkersTestCase, at_once, races_on_postgres, raised


@races_on_postgres
class InboxDutiesRaceTestCase(WorkersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.accounts = [self.approved_account(handle=f"@alpha_{n}", url=f"https://bsky.example/a{n}")
                         for n in range(6)]
        archive(*[line(f"c-{n}", account=a.handle, text="When does the pool open?")
                  for n, a in enumerate(self.accounts)])
        triage_new_items()
        mail.outbox.clear()

    def test_it_alerts_each_lapse_once(self):
        later = max(a.registered_at for a in self.accounts) + timedelta(hours=25)
        results = at_once(*[lambda: review.send_overdue_alerts(later)] * 4)
        self.assertEqual(raised(results), [])
        self.assertEqual(sum(len(sent) for sent in results), len(self.accounts))
        self.assertEqual(OverdueAlert.objects.count(), len(self.accounts))
        self.assertEqual(sorted(m.subject for m in mail.outbox),
                         sorted(f"Overdue: {a.handle} has not been reviewed" for a in self.accounts))

    def test_it_records_each_status_change_once(self):
        server, state, endpoint = georeport_server.start(georeport_server.GeoReportState(api_key="k"))
        self.addCleanup(server.shutdown)
        client = Open311Client(endpoint, api_key="k")
        for entry in InboxEntry.objects.all():
            created = client.create("POTHOLE", "Pothole", "5 Main St, New York, NY")
            Referral.objects.create(entry=entry, request_id=created.service_request_id, status="open")
        for request_id in list(state.requests):
            state.close(request_id, "Fixed.")
        results = at_once(*[lambda: refresh_referrals(client)] * 4)
        self.assertEqual(raised(results), [])
        self.assertEqual(sum(results), len(self.accounts))
        self.assertEqual(AuditEvent.objects.filter(action="inbox.311_status").count(), len(self.accounts))
        self.assertEqual(set(Referral.objects.values_list("status", flat=True)), {"closed"})
