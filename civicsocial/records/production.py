"""FOIL productions (P27): everything a case covers, in forms a requester and a court
can use, with proof that nothing was altered.

The zip holds items.jsonl (one line per item, every version), items.csv (one row per
version, spreadsheet formulas neutralized), archive.warc.gz (ISO 28500, one resource
record per version, written by warcio), archive.wacz (the same records and each thread
as a page, for ReplayWeb.page: records/production_wacz.py), threads/*.pdf (each thread as
a reader saw it, with capture times and removal marks), media/<sha256>, and manifest.json: the SHA-256
of every file, every version's chain link and its Merkle proof to the day's seal, and
any redaction. Redaction changes only the production, never the archive. Where the city
configured its certificate (records/evidence.py), manifest.json.p7s signs the manifest,
manifest.json.tst time-stamps it, and each thread PDF is signed (issue 21).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from django.utils import timezone
from warcio.warcwriter import WARCWriter

from civicsocial.records import evidence, hashing
from civicsocial.records.foil import case_item_ids
from civicsocial.records.fonts import describe
from civicsocial.records.integrity import SealProofs
from civicsocial.records.media import media_path
from civicsocial.records.models import ArchivedItem, FoilCase, ItemKind, ItemVersion
from civicsocial.records.production_wacz import ThreadPages
from civicsocial.records.provenance import provenance_of
from civicsocial.records.thread_drawing import Drawer, account_threads, parallel_for
from civicsocial.records.threads import Item
from civicsocial.security import audit
from civicsocial.security.csvsafe import safe_cell

REDACTABLE = ("author", "text", "url", "raw", "media")
REDACTED = "[REDACTED]"
OFFICIAL_KINDS = (ItemKind.POST, ItemKind.REPLY)
# The first four come from the item, the rest from each version.
CSV_COLUMNS = ["platform", "account", "item_id", "kind", "version", "change", "captured_at",
               "created_at", "author", "text", "parent_id", "url", "content_hash", "chain_hash"]
Progress = Callable[[int, int], None]
# Beside manifest.json, outside its file list (they sign it): records/production_check.py.
SIGNATURE_FILE = "manifest.json.p7s"
TIMESTAMP_FILE = "manifest.json.tst"


@dataclass
class Redaction:
    fields: list[str] = field(default_factory=list)
    reason: str = ""
    by: str = ""


def _version_data(item: ArchivedItem, version: ItemVersion, redaction: Redaction) -> dict[str, Any]:
    content = getattr(version, "content", None)
    data: dict[str, Any] = {
        "version": version.version_no, "change": version.change,
        "captured_at": version.captured_at.isoformat(), "chain_seq": version.chain_seq,
        "content_hash": version.content_hash, "raw_hash": version.raw_hash,
        "prev_hash": version.prev_hash, "chain_hash": version.chain_hash,
        "disposed": content is None,
    }
    if content is not None:
        data.update({
            "author": content.author, "text": content.text,
            "created_at": content.created_at.isoformat() if content.created_at else None,
            "parent_id": content.parent_id, "url": content.url, "language": content.language,
            "media": content.media, "raw": json.loads(content.raw)})
        data["kind"] = item.kind
    for name in redaction.fields:
        if name in data:
            data[name] = REDACTED
    return data


def _item_ids(case: FoilCase) -> list[int]:
    """The case's items in production order: by account, then as first captured."""
    ids = sorted(case_item_ids(case))
    keys: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 1000):
        keys += ArchivedItem.objects.filter(pk__in=ids[start:start + 1000]).values_list(
            "stream__platform", "stream__handle", "first_captured_at", "pk")
    return [key[-1] for key in sorted(keys)]


def _versions(items: list[ArchivedItem]) -> dict[int, list[ItemVersion]]:
    """Every version of these items, in one query rather than one per item."""
    grouped: dict[int, list[ItemVersion]] = defaultdict(list)
    for version in ItemVersion.objects.filter(item_id__in=[i.pk for i in items]) \
            .select_related("content").order_by("item_id", "version_no"):
        grouped[version.item_id].append(version)
    return grouped


class _HashedFile:
    """A file whose SHA-256 and size are computed as it is written (nothing is held in
    memory: a production of 100,000 items is written piece by piece)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()

    def close(self) -> dict[str, Any]:
        self.handle.close()
        return {"sha256": self.digest.hexdigest(), "size": self.size}


Thread = list[tuple[Item, list[dict[str, Any]]]]


class _Production:
    """The files of one production being written: items.jsonl, items.csv, the WARC and
    the manifest's version entries go to temporary files; thread PDFs and media straight
    into the zip."""

    def __init__(self, case: FoilCase, redaction: Redaction, workdir: Path,
                 archive: zipfile.ZipFile, signing: evidence.Signing | None, drawer: Drawer) -> None:
        self.case, self.redaction, self.zip, self.signing = case, redaction, archive, signing
        self.drawer = drawer
        self.parts = {name: _HashedFile(workdir / name) for name in
                      ("items.jsonl", "items.csv", "archive.warc.gz", "versions.json")}
        self.files: dict[str, dict[str, Any]] = {}
        self.table = io.StringIO()
        self.csv = csv.writer(self.table)
        self.csv.writerow(CSV_COLUMNS)
        self.warc = WARCWriter(self.parts["archive.warc.gz"], gzip=True)
        self.pages = ThreadPages(workdir, case.number)
        self.proofs = SealProofs()
        self.media: set[str] = set()
        self.versions = 0
        self.threads: dict[tuple[str, str], Thread] = defaultdict(list)
        self.parents: dict[str, str] = {}
        self.unprintable: dict[str, list[str]] = {}  # character -> thread PDFs showing U+XXXX

    def add(self, item: ArchivedItem, versions: list[ItemVersion]) -> None:
        rendered = [_version_data(item, v, self.redaction) for v in versions]
        line = {"platform": item.stream.platform, "account": item.stream.handle, "item_id": item.platform_id,
                "kind": item.kind, "deleted": item.deleted, "versions": rendered}
        if item.kind in OFFICIAL_KINDS:  # who drafted and approved it (issue 19)
            line.update(provenance_of([item.pk]).get(item.pk, {}))
        self.parts["items.jsonl"].write((json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
                                        .encode())
        for version, data in zip(versions, rendered, strict=True):
            row = [item.stream.platform, item.stream.handle, item.platform_id, item.kind] + \
                [data.get(column) for column in CSV_COLUMNS[4:]]
            self.csv.writerow([safe_cell(value) for value in row])
            _warc_record(self.warc, item, data)
            entry = {"platform": item.stream.platform, "account": item.stream.handle,
                     "item_id": item.platform_id, "version": version.version_no,
                     "change": version.change, "captured_at": data["captured_at"],
                     "chain_seq": version.chain_seq, "content_hash": version.content_hash,
                     "raw_hash": version.raw_hash, "prev_hash": version.prev_hash,
                     "chain_hash": version.chain_hash, "seal": self.proofs.proof(version)}
            self.parts["versions.json"].write(
                ((",\n" if self.versions else "") + json.dumps(entry, ensure_ascii=False)).encode())
            self.versions += 1
            if isinstance(data.get("media"), list):
                self.media.update(m["sha256"] for m in data["media"] if m.get("sha256"))
            if data.get("parent_id") and data["parent_id"] != REDACTED:
                self.parents[item.platform_id] = data["parent_id"]
        self.threads[(item.stream.platform, item.stream.handle)].append(
            (Item(item.kind, item.platform_id), rendered))
        self.parts["items.csv"].write(self.table.getvalue().encode())
        self.table.seek(0)
        self.table.truncate()

    def put(self, name: str, data: bytes) -> None:
        self.zip.writestr(name, data)
        self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def flush_threads(self) -> None:
        """Hand the threads gathered so far (one account's) to the drawer and forget them;
        put into the zip what it finished before (the last batch stays in flight)."""
        for (platform, handle), entries in self.threads.items():
            self.drawer.submit(account_threads(self.case.number, platform, handle, entries, self.parents))
        self.threads.clear()
        self.parents.clear()
        self._put_threads(keep=1)

    def _put_threads(self, keep: int) -> None:
        for thread in self.drawer.drain(keep):
            name = f"threads/{thread.name}.pdf"
            self.put(name, thread.pdf.data)
            self.pages.add(thread.name, thread.title, thread.html, thread.captured_at)
            for char in thread.pdf.missing:
                self.unprintable.setdefault(char, []).append(name)

    def finish(self, items: int) -> tuple[dict[str, Any], str]:
        """Add the files written aside, the media and the manifest; returns the
        manifest (without its version entries) and its SHA-256."""
        self.flush_threads()
        self._put_threads(keep=0)
        for sha in sorted(self.media):
            path = media_path(sha)
            if path.exists():
                self.put(f"media/{sha}", path.read_bytes())
        for name, part in self.parts.items():
            self.files[name] = part.close()
            if name != "versions.json":  # the WARC is gzipped already: stored as it is
                self.zip.write(part.path, name, zipfile.ZIP_STORED if name.endswith(".gz") else None)
        wacz = self.pages.build(self.parts["archive.warc.gz"].path)
        self.files["archive.wacz"] = {"sha256": hashing.file_sha256(wacz), "size": wacz.stat().st_size}
        self.zip.write(wacz, "archive.wacz", zipfile.ZIP_STORED)  # a zip already
        manifest = {
            "format": "civicsocial-production/1", "case": self.case.number,
            "requester": self.case.requester, "received_on": self.case.received_on.isoformat(),
            "generated_at": timezone.now().isoformat(), "items": items,
            "redaction": {"fields": self.redaction.fields, "reason": self.redaction.reason,
                          "by": self.redaction.by},
            "files": {k: v for k, v in sorted(self.files.items()) if k != "versions.json"},
            # Characters no installed font has, printed as U+XXXX in these thread PDFs
            # (the JSONL, CSV and WARC keep them as written).
            "unprintable_characters": [dict(describe(char), threads=sorted(names))
                                       for char, names in sorted(self.unprintable.items())],
            "merkle": "RFC 6962; leaf = chain_hash; seal roots are those of `civicsocial archive "
                      "export-seals`",
            "evidence": _evidence_entry(self.signing),
        }
        digest = hashlib.sha256()
        with self.zip.open("manifest.json", "w", force_zip64=True) as out, \
                self.parts["versions.json"].path.open("rb") as versions:
            for chunk in _manifest_chunks(manifest, versions):
                digest.update(chunk)
                out.write(chunk)
        if self.signing:  # P27: the city's signature, and a third party's clock
            self.zip.writestr(SIGNATURE_FILE, evidence.sign_detached(digest.digest(), self.signing))
            self.zip.writestr(TIMESTAMP_FILE, evidence.timestamp(digest.digest(), self.signing.tsa_url))
        return manifest, digest.hexdigest()


def _evidence_entry(signing: evidence.Signing | None) -> dict[str, Any]:
    if signing is None:
        return {"signed": False, "why": "no signing certificate configured (CIVICSOCIAL_EVIDENCE_CERT)"}
    return {"signed": True, "signer": signing.subject, "signature": SIGNATURE_FILE,
            "signature_format": "CMS SignedData (RFC 5652), detached, over manifest.json",
            "timestamp": TIMESTAMP_FILE,
            "timestamp_format": "RFC 3161 TimeStampToken over SHA-256 of manifest.json",
            "authority": signing.tsa_url, "thread_pdfs": "each signed by the same certificate, PAdES B-B"}


def _manifest_chunks(manifest: dict[str, Any], versions: io.BufferedReader) -> Iterator[bytes]:
    """manifest.json: the manifest's fields, then "versions": [...] copied from disk."""
    head = json.dumps(manifest, indent=1, ensure_ascii=False)
    yield (head[:-2] + ',\n "versions": [\n').encode()
    while block := versions.read(1 << 20):
        yield block
    yield b"\n ]\n}"


def export_case(case: FoilCase, out: Path, redaction: Redaction | None = None,
                progress: Progress | None = None) -> dict[str, Any]:
    """Write the production zip; returns its manifest (files, redaction, counts) with
    the number of versions and the manifest's SHA-256."""
    redaction = redaction or Redaction()
    unknown = [f for f in redaction.fields if f not in REDACTABLE]
    if unknown:
        raise ValueError(f"cannot redact {', '.join(unknown)}; choose from {', '.join(REDACTABLE)}")
    signing = evidence.configured_signing()  # a half-done configuration fails here, before any work
    ids = _item_ids(case)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside `out` and renamed once complete and signed: a failure (the authority
    # not answering, a full disk) leaves any earlier production at `out` as it was.
    partial = out.with_name(out.name + ".partial")
    try:
        manifest = _write(case, redaction, signing, ids, partial, progress)
    except BaseException:
        with contextlib.suppress(OSError):  # the directory itself may be what failed
            partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    manifest_sha256 = manifest["manifest_sha256"]
    # The manifest's own hash goes in the case's audit trail: a production rebuilt with a
    # forged manifest no longer matches what was recorded when it was handed over.
    audit.record(None, "foil.produced", case, agency_id=case.agency_id,
                 changes={"manifest_sha256": [None, manifest_sha256],
                          "redacted": [None, redaction.fields]}, reason=redaction.reason)
    return manifest


def _write(case: FoilCase, redaction: Redaction, signing: evidence.Signing | None, ids: list[int],
           out: Path, progress: Progress | None) -> dict[str, Any]:
    drawer = Drawer(signing, parallel=parallel_for(len(ids)))
    with TemporaryDirectory() as workdir, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, \
            contextlib.closing(drawer):
        production = _Production(case, redaction, Path(workdir), archive, signing, drawer)
        stream = None
        for start in range(0, len(ids), 1000):
            found = ArchivedItem.objects.select_related("stream").in_bulk(ids[start:start + 1000])
            chunk = [found[pk] for pk in ids[start:start + 1000]]
            versions = _versions(chunk)
            for index, item in enumerate(chunk, start + 1):
                if item.stream_id != stream:  # threads never span accounts: print and forget
                    production.flush_threads()
                    stream = item.stream_id
                production.add(item, versions[item.pk])
                if progress:
                    progress(index, len(ids))
        manifest, manifest_sha256 = production.finish(len(ids))
    manifest.update(versions=production.versions, manifest_sha256=manifest_sha256)
    return manifest


def _warc_record(writer: WARCWriter, item: ArchivedItem, data: dict[str, Any]) -> None:
    uri = data.get("url") if data.get("url") not in (None, "", REDACTED) else \
        f"urn:civicsocial:{item.stream.platform}:{item.stream.handle}:{item.platform_id}"
    payload = hashing.canonical({**data, "platform": item.stream.platform,
                                 "account": item.stream.handle, "item_id": item.platform_id})
    record = writer.create_warc_record(
        uri, "resource", payload=io.BytesIO(payload), length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": data["captured_at"].replace("+00:00", "Z"),
                           "WARC-Civicsocial-Chain-Hash": data["chain_hash"],
                           "WARC-Civicsocial-Version": str(data["version"])})
    writer.write_record(record)


