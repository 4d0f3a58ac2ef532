"""The live demo signs and time-stamps (issue 21): its certificate generated once into the
var directory, the key in the vault, an authority on loopback; a production made while it
runs verifies with the printed --trust file, and a seal is time-stamped."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from civicsocial.ops.evidence_authority import demo_evidence
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.integrity import seal_days
from civicsocial.records.models import ArchivedItem, SealTimestamp
from civicsocial.records.production import export_case
from civicsocial.records.production_check import verify_production
from civicsocial.records.seal_stamps import timestamp_seals
from civicsocial.records.tests.helpers import archive, line
from civicsocial.security import vault


class DemoEvidenceTestCase(TestCase):
    def test_it_signs_productions_and_time_stamps_seals_while_the_demo_runs(self):
        archive(line("p1", kind="post", text="Road work"))
        case = open_case(None, "Jane Q. Public", date(2026, 11, 20))
        attach_item(None, case, ArchivedItem.objects.get())
        folder = Path(mkdtemp())
        said: list[str] = []
        kept = {k: getattr(settings, k) for k in ("EVIDENCE_CERT", "TSA_URL", "EVIDENCE_TRUST")}
        with mock.patch.dict(os.environ), demo_evidence(said.append, folder / "evidence") as tsa:
            self.assertTrue(vault.reveal("records:evidence_signing_key") or "".startswith("-----BEGIN"))
            self.assertEqual(os.environ["CIVICSOCIAL_TSA_URL"], tsa.url)
            manifest = export_case(case, folder / "p.zip")
            call_command("archive", "seal", stdout=io.StringIO())
            self.assertEqual(SealTimestamp.objects.count(), 0)  # today's day is not over
            seal_days(before=timezone.now().date() + timedelta(days=1))
            self.assertEqual(timestamp_seals().stamped, 1)
        for name, value in kept.items():  # demo_evidence sets this process's settings for the pages
            setattr(settings, name, value)
        self.assertTrue(manifest["evidence"]["signed"])
        self.assertIn("--trust", said[0])
        self.assertTrue(
            verify_production(folder / "p.zip", roots=(folder / "evidence/trust.pem").read_bytes()).ok
        )
