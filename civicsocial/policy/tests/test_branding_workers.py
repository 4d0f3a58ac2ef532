"""Issue 17: the branding audit (P8) with several workers: the sweep on each and the
receiver after each capture. Each new profile snapshot is judged once, by one worker,
and nobody fails (the demo once logged an IntegrityError here)."""

from __future__ import annotations

from django.utils import timezone

from civicsocial.policy.branding import audit_new_profiles, audit_unaudited
from civicsocial.policy.models import BrandingAudit
from civicsocial.records.archive import archive_captures
from civicsocial.records.capture import parse_capture
from civicsocial.testing import WorkersTestCase, at_once, races_on_postgres, raised


@races_on_postgres
class BrandingAuditRaceTestCase(WorkersTestCase):
    def test_it_judges_each_snapshot_once_however_many_workers_run(self):
        accounts = [self.approved_account(handle=f"@alpha_{n}", url=f"https://bsky.example/a{n}")
                    for n in range(5)]
        archive_captures([parse_capture({
            "platform": "bluesky", "account": a.handle, "item_id": "profile", "kind": "profile",
            "author": a.handle, "text": "Alpha Department. Official NYC account.",
            "created_at": "2026-01-01T00:00:00Z", "captured_at": timezone.now().isoformat(),
            "raw": {"profile": {"name": "Alpha"}}}) for a in accounts])
        results = at_once(audit_unaudited, audit_unaudited, audit_unaudited,
                          lambda: len(audit_new_profiles(accounts[0])))
        self.assertEqual(raised(results), [])
        self.assertEqual(BrandingAudit.objects.count(), len(accounts))
        self.assertEqual(sum(results), len(accounts))  # each judged by one worker
