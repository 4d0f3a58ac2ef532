"""Issue 21 (P27): a production's manifest is signed by the city (CMS, detached) and
time-stamped by an RFC 3161 authority, each thread PDF is signed (PAdES); a changed byte,
a wrong certificate or a time-stamp over other data fails verification, with ours and
with stock openssl."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from civicsocial.ops.evidence_authority import TimeStampingAuthority
from civicsocial.records import evidence
from civicsocial.records.evidence import EvidenceError
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.integrity import seal_days
from civicsocial.records.models import ArchivedItem
from civicsocial.records.production import SIGNATURE_FILE, TIMESTAMP_FILE, export_case
from civicsocial.records.production_check import verify_production
from civicsocial.records.tests.evidence import authority, city_pki, signing_configured
from civicsocial.records.tests.helpers import archive, line


def _replace(path: Path, name: str, data: bytes) -> Path:
    """A copy of the zip with one member's bytes replaced."""
    out = path.with_name(f"changed-{name.replace('/', '_')}.zip")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == name else src.read(info.filename))
    return out


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 1
    return bytes(changed)


class SignedProductionTestCase(TestCase):
    def setUp(self) -> None:
        archive(
            line("p1", kind="post", text="Road work on Main St"),
            line("c1", minutes=1, parent_id="p1", text="pothole on Elan St"),
            line("q1", minutes=2, kind="post", text="Second thread"),
        )
        seal_days(before=timezone.now().date() + timedelta(days=1))
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20))
        for item in ArchivedItem.objects.all():
            attach_item(None, self.case, item)
        self.out = Path(mkdtemp()) / "production.zip"
        self.roots = city_pki().trust.read_bytes()

    def produce(self) -> dict:
        with signing_configured():
            return export_case(self.case, self.out)

    def test_it_signs_and_time_stamps_the_manifest_and_signs_every_thread_pdf(self):
        before = timezone.now()
        manifest = self.produce()
        self.assertTrue(manifest["evidence"]["signed"])
        self.assertIn("Test City Records Evidence", manifest["evidence"]["signer"])
        check = verify_production(self.out, roots=self.roots)
        self.assertEqual(check.problems, [])
        self.assertIn("Test City Records Evidence", check.signer)
        self.assertEqual(check.signed_pdfs, 2)  # two threads
        assert check.timestamped_at is not None
        self.assertLessEqual(abs((check.timestamped_at - before).total_seconds()), 60)

    def test_it_passes_the_stock_openssl_checks_of_the_readme(self):
        self.produce()
        folder = Path(mkdtemp())
        with zipfile.ZipFile(self.out) as z:
            z.extractall(folder)
        pki = city_pki()
        cms = subprocess.run(
            [
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                SIGNATURE_FILE,
                "-content",
                "manifest.json",
                "-CAfile",
                str(pki.city_root),
                "-out",
                "/dev/null",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        self.assertEqual(cms.returncode, 0, cms.stderr)
        self.assertIn("Verification successful", cms.stderr)
        ts = subprocess.run(
            [
                "openssl",
                "ts",
                "-verify",
                "-token_in",
                "-in",
                TIMESTAMP_FILE,
                "-data",
                "manifest.json",
                "-CAfile",
                str(pki.tsa_root),
            ],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        self.assertEqual(ts.returncode, 0, ts.stderr)
        self.assertIn("Verification: OK", ts.stdout)
        sums = subprocess.run(
            "jq -r '.files | to_entries[] | \"\\(.value.sha256)  \\(.key)\"' manifest.json "
            "| sha256sum -c --quiet",
            shell=True,
            cwd=folder,
            capture_output=True,
            text=True,
        )
        self.assertEqual(sums.returncode, 0, sums.stdout + sums.stderr)
        # And openssl refuses the same manifest with one byte changed.
        (folder / "manifest.json").write_bytes(_flip((folder / "manifest.json").read_bytes(), 10))
        for command in (cms.args, ts.args):
            self.assertNotEqual(subprocess.run(command, cwd=folder, capture_output=True).returncode, 0)

    def test_it_fails_a_changed_byte_in_the_manifest(self):
        self.produce()
        with zipfile.ZipFile(self.out) as z:
            manifest = z.read("manifest.json")
        changed = _replace(self.out, "manifest.json", manifest.replace(b"Jane Q. Public", b"Jane Q. Publik"))
        problems = verify_production(changed, roots=self.roots).problems
        self.assertIn(f"{SIGNATURE_FILE}: the signature does not match the data (changed)", problems)
        self.assertIn(f"{TIMESTAMP_FILE}: the time-stamp is over other data", problems)

    def test_it_fails_a_changed_byte_in_a_thread_pdf_even_with_the_manifest_rewritten(self):
        self.produce()
        with zipfile.ZipFile(self.out) as z:
            name = next(n for n in z.namelist() if n.endswith(".pdf"))
            pdf = z.read(name)
        changed = _replace(self.out, name, _flip(pdf, len(pdf) // 3))
        problems = verify_production(changed, roots=self.roots).problems
        self.assertIn(f"{name}: the signature does not match the file (changed)", problems)
        added = _replace(self.out, name, pdf + b"\n% appended\n")
        self.assertIn(
            f"{name}: bytes were added after the signature",
            verify_production(added, roots=self.roots).problems,
        )

    def test_it_fails_a_wrong_certificate(self):
        self.produce()
        other = city_pki("Other City").trust.read_bytes()
        problems = verify_production(self.out, roots=other).problems
        self.assertTrue(
            any(p.startswith(f"{SIGNATURE_FILE}: signed by") and "trusted root" in p for p in problems),
            problems,
        )
        self.assertIn(
            f"{TIMESTAMP_FILE}: the time-stamp's authority does not lead to a trusted root", problems
        )
        self.assertEqual(
            sum("the signer's certificate does not lead to a trusted root" in p for p in problems), 2
        )

    def test_it_fails_a_signature_by_another_certificate_and_a_time_stamp_over_other_data(self):
        self.produce()
        with zipfile.ZipFile(self.out) as z:
            manifest = z.read("manifest.json")
        with signing_configured("Other City") as other:
            forged = evidence.sign_detached(hashlib.sha256(manifest).digest(), evidence.configured_signing())
            stamp = evidence.timestamp(hashlib.sha256(b"something else").digest(), authority().url)
        problems = verify_production(_replace(self.out, SIGNATURE_FILE, forged), roots=self.roots).problems
        self.assertTrue(any("Other City" in p and "trusted root" in p for p in problems), problems)
        problems = verify_production(_replace(self.out, TIMESTAMP_FILE, stamp), roots=self.roots).problems
        self.assertEqual(problems, [f"{TIMESTAMP_FILE}: the time-stamp is over other data"])
        self.assertTrue(other.trust.exists())

    def test_it_fails_a_removed_signature_when_the_verifier_trusts_roots(self):
        self.produce()
        stripped = self.out.with_name("stripped.zip")
        with zipfile.ZipFile(self.out) as src, zipfile.ZipFile(stripped, "w") as dst:
            for info in src.infolist():
                if info.filename != SIGNATURE_FILE:
                    dst.writestr(info, src.read(info.filename))
        self.assertIn(f"{SIGNATURE_FILE} is missing", verify_production(stripped, roots=self.roots).problems)

    def test_it_says_an_unsigned_production_is_unsigned(self):
        manifest = export_case(self.case, self.out)
        self.assertFalse(manifest["evidence"]["signed"])
        check = verify_production(self.out)
        self.assertTrue(check.ok)
        self.assertEqual(check.notes, ["the production is not signed"])
        self.assertEqual(
            verify_production(self.out, roots=self.roots).problems, ["the production is not signed"]
        )

    def test_it_keeps_the_earlier_production_when_the_authority_does_not_answer(self):
        self.produce()
        earlier = self.out.read_bytes()
        closed = TimeStampingAuthority(city_pki())  # bound, never serving: then closed
        url = closed.url
        closed.server.server_close()
        with signing_configured(tsa_url=url), self.assertRaises(EvidenceError) as caught:
            export_case(self.case, self.out)
        self.assertIn("gave no time-stamp", str(caught.exception))
        self.assertEqual(self.out.read_bytes(), earlier)
        self.assertEqual(sorted(p.name for p in self.out.parent.iterdir()), ["production.zip"])

    def test_it_refuses_a_certificate_without_its_key(self):
        with signing_configured(), self.settings(EVIDENCE_CERT=str(city_pki().signer_chain)):
            os.environ.pop("CIVICSOCIAL_EVIDENCE_KEY")
            with self.assertRaises(CommandError) as caught:
                call_command("foil", "export", str(self.case.pk), "--out", str(self.out))
        self.assertIn("signing key is not in the vault", str(caught.exception))
        self.assertFalse(self.out.exists())

    def test_it_prints_who_signed_and_when_on_the_command_line(self):
        self.produce()
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "foil",
            "verify-production",
            str(self.out),
            "--trust",
            str(city_pki().trust),
            stdout=out,
            stderr=err,
        )
        self.assertIn("OK: ", out.getvalue())
        self.assertIn("Signed by Common Name: Test City Records Evidence", out.getvalue())
        self.assertIn("2 thread PDFs signed", out.getvalue())
        written = json.loads(zipfile.ZipFile(self.out).read("manifest.json"))
        self.assertEqual(written["evidence"]["timestamp"], TIMESTAMP_FILE)
