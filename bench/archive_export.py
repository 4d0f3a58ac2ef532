"""The archive benchmark's production phases (issue 21), run by archive_bench.py.

Ours: a FOIL production of the benchmark's case, signed and time-stamped (a CA and an
RFC 3161 authority on loopback, as in the tests). Its necessary parts, each measured
alone on the same data in the same run: warcio writing the same records, the PDF
libraries drawing the same threads, pyHanko signing those PDFs, and the wacz package
packaging the same WARCs. The goal: ours within 1.5x of their sum.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import zipfile
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any


@contextlib.contextmanager
def signing(work: Path) -> Any:
    """The settings of a city that signs and time-stamps, for the block."""
    import os

    from django.conf import settings

    from civicsocial.ops.evidence_authority import TimeStampingAuthority, generate

    pki = generate(work / "evidence")
    os.environ["CIVICSOCIAL_EVIDENCE_KEY"] = pki.signer_key.read_text()
    with TimeStampingAuthority(pki) as tsa:
        settings.EVIDENCE_CERT, settings.TSA_URL = str(pki.signer_chain), tsa.url
        yield pki


def phase_export(case: Any, work: Path, out: Path) -> dict[str, Any]:
    from civicsocial.records.production import export_case

    with signing(work):
        started = time.perf_counter()
        manifest = export_case(case, out)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "items": manifest["items"], "versions": manifest["versions"]}


def _threads(production: Path) -> list[tuple[str, str, str, dict[str, Any], dict[str, list[str]]]]:
    """The production's threads, read back from its items.jsonl, as the renderer takes them."""
    by_account: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    with zipfile.ZipFile(production) as z, z.open("items.jsonl") as lines:
        for line in lines:
            item = json.loads(line)
            by_account[(item["platform"], item["account"])][item["item_id"]] = (
                SimpleNamespace(kind=item["kind"], platform_id=item["item_id"]),
                item["versions"],
            )
    threads = []
    for (platform, handle), by_id in by_account.items():
        children: dict[str, list[str]] = defaultdict(list)
        for item_id, (_, versions) in by_id.items():
            parent = next((v.get("parent_id") for v in versions if v.get("parent_id")), None)
            if parent in by_id:
                children[parent].append(item_id)
        roots = [i for i in by_id if not any(i in kids for kids in children.values())]
        threads += [(platform, handle, root, by_id, children) for root in roots]
    return threads


def phase_parts(work: Path, production: Path) -> dict[str, Any]:
    """Each necessary part alone: drawing the threads, signing them, packaging the WACZ."""
    from civicsocial.records import evidence
    from civicsocial.records.production_wacz import ThreadPages
    from civicsocial.records.thread_html import render_thread_html
    from civicsocial.records.threads import render_thread_pdf

    threads = _threads(production)
    started = time.perf_counter()
    pdfs = [render_thread_pdf("BENCH", *thread).data for thread in threads]
    drawing = time.perf_counter() - started
    with signing(work):
        signer = evidence.configured_signing()
        assert signer is not None
        started = time.perf_counter()
        for pdf in pdfs:
            evidence.sign_pdf(pdf, signer)
        signing_s = time.perf_counter() - started
    parts = work / "parts"
    parts.mkdir(exist_ok=True)
    with zipfile.ZipFile(production) as z:
        (parts / "archive.warc.gz").write_bytes(z.read("archive.warc.gz"))
    pages = ThreadPages(parts, "BENCH")
    for n, thread in enumerate(threads):
        pages.add(f"t{n}", "thread", render_thread_html("BENCH", *thread), "2026-10-01T00:00:00Z")
    started = time.perf_counter()
    pages.build(parts / "archive.warc.gz")
    packaging = time.perf_counter() - started
    return {"drawing": drawing, "signing": signing_s, "packaging": packaging, "threads": len(threads)}


def warc_alone(case: Any) -> float:
    """warcio alone: the same versions, already in memory, written as the same records."""
    from warcio.warcwriter import WARCWriter

    from civicsocial.records import hashing
    from civicsocial.records.models import FoilItem, ItemVersion

    ids = FoilItem.objects.filter(case=case).values_list("item_id", flat=True)
    payloads = [
        (
            v.captured_at.isoformat().replace("+00:00", "Z"),
            hashing.canonical(
                {
                    "text": v.content.text,
                    "author": v.content.author,
                    "raw": v.content.raw,
                    "chain_hash": v.chain_hash,
                }
            ),
        )
        for v in ItemVersion.objects.filter(item_id__in=ids)
        .select_related("content")
        .iterator(chunk_size=5000)
    ]
    started = time.perf_counter()
    writer = WARCWriter(io.BytesIO(), gzip=True)
    for when, payload in payloads:
        writer.write_record(
            writer.create_warc_record(
                "urn:bench",
                "resource",
                payload=io.BytesIO(payload),
                length=len(payload),
                warc_content_type="application/json",
                warc_headers_dict={"WARC-Date": when},
            )
        )
    return time.perf_counter() - started
