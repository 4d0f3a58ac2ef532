"""Issue 21 (P27): each daily seal is time-stamped by an RFC 3161 authority, so the
archive's integrity rests on a third party's clock; `archive verify` checks the tokens,
and the export carries them for stock openssl."""

from __future__ import annotations

import base64
import io
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp

import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings

from civicsocial.ops.evidence_authority import TimeStampingAuthority
from civicsocial.records.integrity import export_seals, seal_days, verify
from civicsocial.records.models import DailySeal, SealTimestamp
from civicsocial.records.seal_stamps import timestamp_seals
from civicsocial.records.tests.evidence import authority, city_pki
from civicsocial.records.tests.helpers import archive, as_attacker, line


class SealTimestampTestCase(TestCase):
    def setUp(self) -> None:
        # Archived on two past days, for two accounts: four seals of complete days.
        for day in (1, 2):
            with time_machine.travel(datetime(2026, 11, day, 15, tzinfo=UTC), tick=False):
                archive(line(f"a{day}", text="pothole"), line(f"b{day}", account="@parksnyc", text="bench"))
        seal_days()
        self.url = authority().url
        self.roots = city_pki().trust.read_bytes()

    def test_it_time_stamps_each_seal_once(self):
        self.assertEqual(DailySeal.objects.count(), 4)
        result = timestamp_seals(self.url)
        self.assertEqual((result.stamped, result.waiting, result.error), (4, 0, ""))
        self.assertEqual(timestamp_seals(self.url).stamped, 0)
        self.assertEqual(SealTimestamp.objects.count(), 4)
        stamp = SealTimestamp.objects.first()
        assert stamp is not None
        self.assertLess(abs((stamp.stamped_at - datetime.now(UTC)).total_seconds()), 60)

    def test_it_checks_every_time_stamp_in_verify(self):
        timestamp_seals(self.url)
        report = verify(roots=self.roots)
        self.assertEqual(report.problems, [])
        self.assertEqual((report.stamps_checked, report.stamps_waiting), (4, 0))

    def test_it_fails_a_seal_rewritten_after_it_was_stamped(self):
        timestamp_seals(self.url)
        seal = DailySeal.objects.order_by("pk").first()
        assert seal is not None
        with as_attacker() as cursor:
            cursor.execute("UPDATE records_dailyseal SET count = count + 1 WHERE id = %s", [seal.pk])
        problems = verify(roots=self.roots).problems
        self.assertIn(
            f"{seal.stream.handle} on bluesky: stored seal of {seal.day}: the time-stamp is over other data",
            problems,
        )

    def test_it_fails_a_token_from_another_authority_or_before_the_day_ended(self):
        timestamp_seals(self.url)
        other = city_pki("Other City").trust.read_bytes()
        problems = verify(roots=other).problems
        self.assertEqual(len(problems), 4)
        self.assertTrue(all("authority does not lead to a trusted root" in p for p in problems))
        archive(line("today", text="new today"))
        seal_days(before=datetime.now(UTC).date() + timedelta(days=1))  # today's seal, day not over
        today = DailySeal.objects.get(day=datetime.now(UTC).date())
        timestamp_seals(self.url)
        problems = verify(roots=self.roots).problems
        self.assertTrue(
            any(
                f"stored seal of {today.day}: time-stamped" in p and "before its day ended" in p
                for p in problems
            ),
            problems,
        )

    def test_it_exports_tokens_stock_openssl_verifies(self):
        timestamp_seals(self.url)
        seal = export_seals()["seals"][0]
        folder = Path(mkdtemp())
        (folder / "seal.txt").write_text(seal["statement"])
        (folder / "seal.tst").write_bytes(base64.b64decode(seal["timestamp"]))
        command = [
            "openssl",
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "seal.tst",
            "-data",
            "seal.txt",
            "-CAfile",
            str(city_pki().tsa_root),
        ]
        run = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("Verification: OK", run.stdout)
        (folder / "seal.txt").write_text(seal["statement"].replace(seal["root"], "f" * 64))
        self.assertNotEqual(subprocess.run(command, cwd=folder, capture_output=True).returncode, 0)

    def test_it_checks_the_tokens_of_exported_seals(self):
        timestamp_seals(self.url)
        exported = export_seals()
        first, second = exported["seals"][0], exported["seals"][1]
        first["timestamp"] = second["timestamp"]  # a real token, of another seal
        problems = verify(against=exported, roots=self.roots).problems
        self.assertEqual(
            problems,
            [
                f"{first['handle']} on bluesky: exported seal of {first['day']}: "
                "the time-stamp is over other data"
            ],
        )

    def test_it_leaves_seals_waiting_while_the_authority_does_not_answer(self):
        closed = TimeStampingAuthority(city_pki())
        closed.server.server_close()
        result = timestamp_seals(closed.url)
        self.assertEqual((result.stamped, result.waiting), (0, 4))
        self.assertIn("gave no time-stamp", result.error)
        self.assertEqual(SealTimestamp.objects.count(), 0)
        self.assertEqual(verify(roots=self.roots).stamps_waiting, 4)
        self.assertEqual(timestamp_seals(self.url).stamped, 4)

    def test_it_seals_and_time_stamps_from_the_command_line(self):
        out = io.StringIO()
        with override_settings(TSA_URL=self.url, EVIDENCE_TRUST=str(city_pki().trust)):
            call_command("archive", "seal", stdout=out)
            call_command("archive", "verify", stdout=out)
        self.assertIn(f"Time-stamped 4 seal(s) by {self.url}.", out.getvalue())
        self.assertIn("Seal time-stamps: 4 checked, 0 seal(s) waiting for one.", out.getvalue())

    def test_it_says_when_no_authority_is_configured(self):
        out = io.StringIO()
        with override_settings(TSA_URL=""):
            call_command("archive", "seal", stdout=out)
        self.assertIn(
            "No time-stamping authority configured (CIVICSOCIAL_TSA_URL): 4 seal(s) not time-stamped.",
            out.getvalue(),
        )
