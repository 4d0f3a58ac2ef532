"""Issue 21 (P27): a production is also written as WACZ (Webrecorder's `wacz` package):
every version's record and each thread as a page ReplayWeb.page can open, valid by
`wacz validate`."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from tempfile import mkdtemp

from django.test import TestCase
from warcio.archiveiterator import ArchiveIterator

from civicsocial.passes import sqlite_pass_only
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.models import ArchivedItem
from civicsocial.records.production import export_case
from civicsocial.records.production_check import verify_production
from civicsocial.records.tests.helpers import archive, line


def wacz_validate(path: Path) -> subprocess.CompletedProcess[str]:
    """`wacz validate -f PATH`, the package's own command (its script: `python -m wacz`
    exits 0 whatever it finds)."""
    command = [str(Path(sys.executable).parent / "wacz"), "validate", "-f", str(path)]
    return subprocess.run(command, capture_output=True, text=True)


# The WACZ is made from the production's files; the engine does not change it.
pytestmark = sqlite_pass_only


class WaczProductionTestCase(TestCase):
    def setUp(self) -> None:
        archive(
            line("p1", kind="post", text="Road work on <Main> St"),
            line("c1", minutes=1, parent_id="p1", text="pothole & <script>alert(1)</script>"),
            line("c1", minutes=5, parent_id="p1", text="Edited: pothole on Élan St"),
            line("q1", minutes=2, kind="post", text="שלום, second thread"),
        )
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20))
        for item in ArchivedItem.objects.all():
            attach_item(None, self.case, item)
        self.folder = Path(mkdtemp())
        export_case(self.case, self.folder / "production.zip")
        with zipfile.ZipFile(self.folder / "production.zip") as z:
            (self.folder / "archive.wacz").write_bytes(z.read("archive.wacz"))
            self.manifest = json.loads(z.read("manifest.json"))
        self.wacz = zipfile.ZipFile(self.folder / "archive.wacz")

    def test_it_is_valid_by_wacz_validate(self):
        run = wacz_validate(self.folder / "archive.wacz")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("Validation succeeded, the passed WACZ is valid", run.stdout)
        self.assertIn("archive.wacz", self.manifest["files"])

    def test_it_has_each_thread_as_a_page_and_every_version(self):
        pages = [json.loads(x) for x in self.wacz.read("pages/pages.jsonl").decode().splitlines()]
        titles = sorted(p.get("title", "") for p in pages[1:])
        self.assertEqual(titles, ["@dotnyc on bluesky · thread p1", "@dotnyc on bluesky · thread q1"])
        self.assertTrue(
            all(p["url"].startswith("https://records.civicsocial.invalid/FOIL-") for p in pages[1:])
        )
        records = {}
        for name in ("archive/archive.warc.gz", "archive/threads.warc.gz"):
            for record in ArchiveIterator(io.BytesIO(self.wacz.read(name))):
                records.setdefault(record.rec_type, []).append(
                    (record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read())
                )
        self.assertEqual(len(records["resource"]), 4)  # every version
        pages_html = dict(records["response"])
        page = pages_html[next(p["url"] for p in pages[1:] if p["title"].endswith("p1"))].decode()
        self.assertIn("Road work on &lt;Main&gt; St", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)  # escaped, never run
        self.assertNotIn("<script>", page)
        self.assertIn("Edited: pothole on Élan St", page)
        self.assertLess(page.index("Road work"), page.index("Edited: pothole"))
        index = gzip.decompress(self.wacz.read("indexes/index.cdx.gz")).decode()
        self.assertEqual(index.count("records.civicsocial.invalid"), 2)

    def test_a_changed_byte_fails_wacz_validate_and_verify_production(self):
        changed = self.folder / "changed.wacz"
        with zipfile.ZipFile(changed, "w") as out:
            for info in self.wacz.infolist():
                data = self.wacz.read(info.filename)
                if info.filename == "pages/pages.jsonl":
                    data = data.replace(b"thread p1", b"thread pX")
                out.writestr(info, data)
        run = wacz_validate(changed)
        self.assertNotEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("Validation failed", run.stdout)
        production = self.folder / "production.zip"
        forged = self.folder / "forged.zip"
        with zipfile.ZipFile(production) as src, zipfile.ZipFile(forged, "w") as dst:
            for info in src.infolist():
                dst.writestr(
                    info, changed.read_bytes() if info.filename == "archive.wacz" else src.read(info)
                )
        self.assertIn("archive.wacz does not match its SHA-256 (changed)", verify_production(forged).problems)
