"""Issue 21: a big production draws and signs its thread PDFs in a process per core; it
holds the same threads, in the same order, with the same words, as one drawn here, and
verifies with its signatures."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from tempfile import mkdtemp

from django.test import TestCase, override_settings
from pypdf import PdfReader

from civicsocial.passes import sqlite_pass_only
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.models import ArchivedItem
from civicsocial.records.production import export_case
from civicsocial.records.production_check import verify_production
from civicsocial.records.tests.evidence import city_pki, signing_configured
from civicsocial.records.tests.helpers import archive, line


def threads(path: Path) -> list[tuple[str, str]]:
    """(name, text) of each thread PDF, in the zip's order."""
    with zipfile.ZipFile(path) as z:
        return [
            (n, " ".join(p.extract_text() for p in PdfReader(io.BytesIO(z.read(n))).pages))
            for n in z.namelist()
            if n.endswith(".pdf")
        ]


# The processes that draw PDFs never touch the database: one pass runs it.
pytestmark = sqlite_pass_only


class ParallelProductionTestCase(TestCase):
    def setUp(self) -> None:
        lines = []
        for account in ("@dotnyc", "@parksnyc", "@nycschools"):
            for n in range(8):
                lines.append(
                    line(f"{account}-p{n}", account=account, kind="post", text=f"Post {n} of {account}")
                )
                lines.append(
                    line(
                        f"{account}-c{n}",
                        account=account,
                        minutes=1,
                        parent_id=f"{account}-p{n}",
                        text=f"Reply to post {n}: привет, καλημέρα",
                    )
                )
        archive(*lines)
        self.case = open_case(None, "Jane Q. Public", date(2026, 11, 20))
        for item in ArchivedItem.objects.all():
            attach_item(None, self.case, item)
        self.folder = Path(mkdtemp())

    def test_it_draws_in_processes_what_it_draws_here(self):
        with signing_configured(), override_settings(PRODUCTION_PARALLEL_ITEMS=1):
            export_case(self.case, self.folder / "parallel.zip")
        with signing_configured(), override_settings(PRODUCTION_PARALLEL_ITEMS=10**9):
            export_case(self.case, self.folder / "here.zip")
        parallel, here = threads(self.folder / "parallel.zip"), threads(self.folder / "here.zip")
        self.assertEqual(len(parallel), 24)
        self.assertEqual(parallel, here)
        check = verify_production(self.folder / "parallel.zip", roots=city_pki().trust.read_bytes())
        self.assertEqual(check.problems, [])
        self.assertEqual(check.signed_pdfs, 24)
        with zipfile.ZipFile(self.folder / "parallel.zip") as z:
            pages = z.read("archive.wacz")
            manifest = json.loads(z.read("manifest.json"))
        self.assertTrue(pages)
        self.assertEqual(manifest["items"], 48)
