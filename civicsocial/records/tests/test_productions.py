"""P27: a FOIL production holds every version, in JSONL, CSV, WARC and PDF, with a
manifest; `verify-production` catches any change to it."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from tempfile import mkdtemp

from django.test import TestCase
from django.utils import timezone
from pypdf import PdfReader
from warcio.archiveiterator import ArchiveIterator

from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.integrity import seal_days
from civicsocial.records.models import ArchivedItem
from civicsocial.records.production import Redaction, export_case
from civicsocial.records.production_check import verify_production
from civicsocial.records.tests.helpers import archive, line, produce_everything

IMAGE = {"url": "https://cdn.example/p.png", "content_type": "image/png", "data": "iVBORw0KGgo="}


class ProductionTestCase(TestCase):
    def setUp(self) -> None:
        archive(line("p1", kind="post", text="Road work on Main St", media=[IMAGE]),
                line("c1", minutes=1, parent_id="p1", text="=HYPERLINK(\"http://x\") pothole!"),
                line("c1", minutes=5, parent_id="p1", text="Edited: pothole on Élan St"),
                line("c2", minutes=6, parent_id="p1", text="spam spam", deleted=False),
                line("c2", minutes=9, parent_id="p1", text="", deleted=True))
        seal_days(before=timezone.now().date() + timedelta(days=1))
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20), ["pothole"])
        for item_id in ("p1", "c2"):
            attach_item(None, self.case, ArchivedItem.objects.get(platform_id=item_id))
        self.out = Path(mkdtemp()) / "production.zip"

    def test_it_produces_every_version_in_every_format(self):
        manifest = export_case(self.case, self.out)
        self.assertEqual(manifest["items"], 3)
        self.assertEqual(manifest["versions"], 5)
        with zipfile.ZipFile(self.out) as z:
            items = [json.loads(x) for x in z.read("items.jsonl").decode().splitlines()]
            self.assertEqual(sum(len(i["versions"]) for i in items), 5)
            rows = list(csv.DictReader(io.StringIO(z.read("items.csv").decode())))
            self.assertEqual(len(rows), 5)
            self.assertTrue(any(r["text"].startswith("'=HYPERLINK") for r in rows))
            warc = list(ArchiveIterator(io.BytesIO(z.read("archive.warc.gz"))))
            self.assertEqual([r.rec_type for r in warc], ["resource"] * 5)
            pdfs = [n for n in z.namelist() if n.endswith(".pdf")]
            self.assertEqual(len(pdfs), 1)  # one thread: the post and its comments
            text = " ".join(PdfReader(io.BytesIO(z.read(pdfs[0]))).pages[0].extract_text().split())
            self.assertIn("Road work on Main St", text)
            self.assertIn("REMOVED from the platform", text)
            self.assertIn("captured", text)
            self.assertTrue(any(n.startswith("media/") for n in z.namelist()))
            written = json.loads(z.read("manifest.json"))
        self.assertEqual(len(written["versions"]), 5)
        self.assertTrue(all(v["seal"] for v in written["versions"]))
        self.assertEqual(written["files"], manifest["files"])
        self.assertTrue(verify_production(self.out).ok)

    def test_it_catches_any_change_to_the_production(self):
        export_case(self.case, self.out)
        for name in ("items.csv", "items.jsonl", "archive.warc.gz", "manifest.json"):
            tampered = self.out.with_name(f"t-{name}.zip")
            with zipfile.ZipFile(self.out) as src, zipfile.ZipFile(tampered, "w") as dst:
                for entry in src.namelist():
                    data = src.read(entry)
                    if entry == name == "manifest.json":
                        manifest = json.loads(data)
                        manifest["files"]["items.csv"]["sha256"] = "0" * 64
                        data = json.dumps(manifest).encode()
                    elif entry == name:
                        data = data.replace(b"pothole", b"potato") if name != "archive.warc.gz" \
                            else data[:-10] + b"0123456789"
                    dst.writestr(entry, data)
            self.assertFalse(verify_production(tampered).ok, name)

    def test_it_catches_a_forged_manifest(self):
        export_case(self.case, self.out)
        forged = self.out.with_name("forged.zip")
        with zipfile.ZipFile(self.out) as src, zipfile.ZipFile(forged, "w") as dst:
            for entry in src.namelist():
                data = src.read(entry)
                if entry == "manifest.json":
                    manifest = json.loads(data)
                    manifest["versions"][0]["content_hash"] = "0" * 64
                    data = json.dumps(manifest).encode()
                dst.writestr(entry, data)
        problems = verify_production(forged).problems
        self.assertTrue(any("chain link" in p for p in problems))

    def test_it_checks_seal_roots_against_independently_exported_seals(self):
        from civicsocial.records.integrity import export_seals
        export_case(self.case, self.out)
        seals = export_seals()
        self.assertTrue(verify_production(self.out, seals).ok)
        for seal in seals["seals"]:
            seal["root"] = "f" * 64
        self.assertFalse(verify_production(self.out, seals).ok)

    def test_it_records_the_manifest_hash_in_the_case_history(self):
        from civicsocial.security.models import AuditEvent
        manifest = export_case(self.case, self.out)
        event = AuditEvent.objects.get(target_id=str(self.case.pk), action="foil.produced")
        self.assertEqual(event.changes["manifest_sha256"][1], manifest["manifest_sha256"])
        self.assertEqual(verify_production(self.out).manifest_sha256, manifest["manifest_sha256"])

    def test_it_records_redactions_in_the_manifest_not_the_archive(self):
        manifest = export_case(self.case, self.out, Redaction(["author"], "privacy", "officer"))
        self.assertEqual(manifest["redaction"]["fields"], ["author"])
        with zipfile.ZipFile(self.out) as z:
            self.assertNotIn(b"@resident", z.read("items.jsonl"))
        self.assertTrue(verify_production(self.out).ok)
        from civicsocial.records.models import VersionContent
        self.assertTrue(VersionContent.objects.filter(author="@resident").exists())


class ThreadPdfTestCase(TestCase):
    def test_it_prints_any_script_and_loses_no_text_of_long_words_or_long_threads(self):
        url = "https://example.org/" + "x" * 3000
        archive(line("p9", kind="post", text="Объявление: улица закрыта. إغلاق الشارع"),
                *[line(f"r{n}", minutes=n + 1, parent_id="p9", text=f"reply {n} {url}")
                  for n in range(40)])
        _, pdfs = produce_everything()
        self.assertEqual(len(pdfs), 1)
        reader = PdfReader(io.BytesIO(next(iter(pdfs.values()))))
        text = "".join("".join(page.extract_text().split()) for page in reader.pages)
        self.assertGreater(len(reader.pages), 10)  # 40 replies of 3,000 characters each
        self.assertIn("Объявление:улицазакрыта.", text)
        # Broken across lines and pages, nothing cut ("example" has one x too).
        self.assertEqual(text.count("x"), 40 * 3001)
        self.assertIn("reply39", text)
