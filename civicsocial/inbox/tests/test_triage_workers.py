"""Issue 17: triage with several workers (the sweep on each, and the receiver after each
capture). Every comment lands in the inbox once; a dangerous condition is held once and
counsel told once (P24); a records request opens one FOIL case (P26)."""

from __future__ import annotations

from django.core import mail

from civicsocial.inbox.models import InboxEntry, InboxLabel
from civicsocial.inbox.services import triage_new_items
from civicsocial.records.models import FoilCase, LegalHold
from civicsocial.records.tests.helpers import archive, line
from civicsocial.testing import WorkersTestCase, at_once, races_on_postgres, raised

HAZARDS = [f"There is a deep pothole at {n} Flatbush Ave, my bike went down" for n in range(100, 112)]
REQUESTS = [f"Under FOIL I request all emails about the {n} Main St bike lane" for n in range(1, 7)]


@races_on_postgres
class TriageRaceTestCase(WorkersTestCase):
    def test_it_triages_holds_and_tells_once_however_many_workers_run(self):
        self.approved_account()  # @alpha_news
        texts = HAZARDS + REQUESTS + [f"Thanks for the update {n}" for n in range(30)]
        archive(*[line(f"c-{n}", account="@alpha_news", author=f"resident{n}.bsky", text=text)
                  for n, text in enumerate(texts)])
        mail.outbox.clear()
        results = at_once(*[triage_new_items] * 4)
        self.assertEqual(raised(results), [])
        self.assertEqual(InboxEntry.objects.count(), len(texts))
        self.assertEqual(sum(results), len(texts))  # each counted by the worker that added it
        held = LegalHold.objects.filter(reason__contains="P24")
        self.assertEqual(held.count(), len(HAZARDS))
        self.assertEqual(held.values("item").distinct().count(), len(HAZARDS))
        self.assertEqual(FoilCase.objects.count(), len(REQUESTS))
        subjects = [m.subject for m in mail.outbox]
        self.assertEqual(sum("legal notice" in s for s in subjects), len(HAZARDS))
        self.assertEqual(sum("FOIL request" in s for s in subjects), len(REQUESTS))
        self.assertEqual(InboxLabel.objects.filter(label="dangerous_condition").count(), len(HAZARDS))
