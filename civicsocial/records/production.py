"""FOIL productions (P27): everything a case covers, in forms a requester and a court
can use, with proof that nothing was altered.

The zip holds items.jsonl (one line per item, every version), items.csv (one row per
version, spreadsheet formulas neutralized), archive.warc.gz (ISO 28500, one resource
record per version, written by warcio), threads/*.pdf (each thread as a reader saw it,
with capture times and removal marks), media/<sha256>, and manifest.json: the SHA-256
of every file, every version's chain link and its Merkle proof to the day's seal, and
any redaction. Redaction changes only the production, never the archive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from warcio.warcwriter import WARCWriter

from civicsocial.records import hashing
from civicsocial.records.foil import case_item_ids
from civicsocial.records.integrity import SealProofs
from civicsocial.records.media import media_path
from civicsocial.records.models import ArchivedItem, Change, FoilCase, ItemVersion
from civicsocial.records.threads import render_thread_pdf
from civicsocial.security import audit
from civicsocial.security.csvsafe import safe_cell

REDACTABLE = ("author", "text", "url", "raw", "media")
REDACTED = "[REDACTED]"
# The first four come from the item, the rest from each version.
CSV_COLUMNS = ["platform", "account", "item_id", "kind", "version", "change", "captured_at",
               "created_at", "author", "text", "parent_id", "url", "content_hash", "chain_hash"]
Progress = Callable[[int, int], None]


@dataclass
class Redaction:
    fields: list[str] = field(default_factory=list)
    reason: str = ""
    by: str = ""


def _version_data(version: ItemVersion, redaction: Redaction) -> dict[str, Any]:
    item = version.item
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


def _items(case: FoilCase) -> list[ArchivedItem]:
    ids = sorted(case_item_ids(case))
    return list(ArchivedItem.objects.filter(pk__in=ids).select_related("stream")
                .order_by("stream__platform", "stream__handle", "first_captured_at", "pk"))


def _versions(items: list[ArchivedItem]) -> dict[int, list[ItemVersion]]:
    """Every version of these items, in a few queries rather than one per item."""
    grouped: dict[int, list[ItemVersion]] = defaultdict(list)
    for start in range(0, len(items), 1000):
        chunk = [i.pk for i in items[start:start + 1000]]
        for version in ItemVersion.objects.filter(item_id__in=chunk) \
                .select_related("item", "content", "stream").order_by("item_id", "version_no"):
            grouped[version.item_id].append(version)
    return grouped


def export_case(case: FoilCase, out: Path, redaction: Redaction | None = None,
                progress: Progress | None = None) -> dict[str, Any]:
    """Write the production zip; returns its manifest."""
    redaction = redaction or Redaction()
    unknown = [f for f in redaction.fields if f not in REDACTABLE]
    if unknown:
        raise ValueError(f"cannot redact {', '.join(unknown)}; choose from {', '.join(REDACTABLE)}")
    items = _items(case)
    files: dict[str, bytes] = {}
    jsonl, table, warc = io.StringIO(), io.StringIO(), io.BytesIO()
    writer = csv.writer(table)
    writer.writerow(CSV_COLUMNS)
    warc_writer = WARCWriter(warc, gzip=True)
    manifest_versions: list[dict[str, Any]] = []
    media: set[str] = set()
    threads: dict[tuple[str, str, str], list[tuple[ArchivedItem, list[dict[str, Any]]]]] = \
        defaultdict(list)
    parents: dict[str, str] = {}
    proofs = SealProofs()
    all_versions = _versions(items)
    for index, item in enumerate(items, 1):
        versions = all_versions[item.pk]
        rendered = [_version_data(v, redaction) for v in versions]
        jsonl.write(json.dumps({"platform": item.stream.platform, "account": item.stream.handle,
                                "item_id": item.item_id, "kind": item.kind,
                                "deleted": item.deleted, "versions": rendered},
                               ensure_ascii=False, sort_keys=True) + "\n")
        for version, data in zip(versions, rendered, strict=True):
            row = [item.stream.platform, item.stream.handle, item.item_id, item.kind] + \
                [data.get(column) for column in CSV_COLUMNS[4:]]
            writer.writerow([safe_cell(value) for value in row])
            _warc_record(warc_writer, item, data)
            manifest_versions.append({
                "platform": item.stream.platform, "account": item.stream.handle,
                "item_id": item.item_id, "version": version.version_no,
                "change": version.change, "captured_at": data["captured_at"],
                "chain_seq": version.chain_seq, "content_hash": version.content_hash,
                "raw_hash": version.raw_hash, "prev_hash": version.prev_hash,
                "chain_hash": version.chain_hash, "seal": proofs.proof(version)})
            if isinstance(data.get("media"), list):
                media.update(m["sha256"] for m in data["media"] if m.get("sha256"))
            if data.get("parent_id") and data["parent_id"] != REDACTED:
                parents[item.item_id] = data["parent_id"]
        threads[(item.stream.platform, item.stream.handle, "")].append((item, rendered))
        if progress:
            progress(index, len(items))
    files["items.jsonl"] = jsonl.getvalue().encode()
    files["items.csv"] = table.getvalue().encode()
    files["archive.warc.gz"] = warc.getvalue()
    for name, pdf in _thread_pdfs(case, threads, parents):
        files[name] = pdf
    for sha in sorted(media):
        path = media_path(sha)
        if path.exists():
            files[f"media/{sha}"] = path.read_bytes()
    manifest = {
        "format": "civicsocial-production/1", "case": case.number, "requester": case.requester,
        "received_on": case.received_on.isoformat(), "generated_at": timezone.now().isoformat(),
        "items": len(items), "versions": manifest_versions,
        "redaction": {"fields": redaction.fields, "reason": redaction.reason, "by": redaction.by},
        "files": {name: {"sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob)}
                  for name, blob in sorted(files.items())},
        "merkle": "RFC 6962; leaf = chain_hash; seal roots are those of `civicsocial archive "
                  "export-seals`",
    }
    manifest_bytes = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in sorted(files.items()):
            archive.writestr(name, blob)
        archive.writestr("manifest.json", manifest_bytes)
    # The manifest's own hash goes in the case's audit trail: a production rebuilt with a
    # forged manifest no longer matches what was recorded when it was handed over.
    manifest["manifest_sha256"] = hashlib.sha256(manifest_bytes).hexdigest()
    audit.record(None, "foil.produced", case, agency_id=case.agency_id,
                 changes={"manifest_sha256": [None, manifest["manifest_sha256"]],
                          "redacted": [None, redaction.fields]}, reason=redaction.reason)
    return manifest


def _warc_record(writer: WARCWriter, item: ArchivedItem, data: dict[str, Any]) -> None:
    uri = data.get("url") if data.get("url") not in (None, "", REDACTED) else \
        f"urn:civicsocial:{item.stream.platform}:{item.stream.handle}:{item.item_id}"
    payload = hashing.canonical({**data, "platform": item.stream.platform,
                                 "account": item.stream.handle, "item_id": item.item_id})
    record = writer.create_warc_record(
        uri, "resource", payload=io.BytesIO(payload), length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": data["captured_at"].replace("+00:00", "Z"),
                           "WARC-Civicsocial-Chain-Hash": data["chain_hash"],
                           "WARC-Civicsocial-Version": str(data["version"])})
    writer.write_record(record)


def _thread_pdfs(case: FoilCase, threads: dict[Any, list[tuple[ArchivedItem, list[dict[str, Any]]]]],
                 parents: dict[str, str]) -> list[tuple[str, bytes]]:
    """One PDF per thread root (an item whose parent is not in the production)."""
    out = []
    for (platform, handle, _), entries in sorted(threads.items()):
        by_id = {item.item_id: (item, versions) for item, versions in entries}
        children: dict[str, list[str]] = defaultdict(list)
        roots = []
        for item_id in by_id:
            parent = parents.get(item_id)
            if parent in by_id:
                children[parent].append(item_id)
            else:
                roots.append(item_id)
        for root in roots:
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{handle}_{root}")[:120]
            out.append((f"threads/{platform}_{safe}.pdf",
                        render_thread_pdf(case.number, platform, handle, root, by_id, children)))
    return out


@dataclass
class ProductionCheck:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    versions: int = 0
    manifest_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_production(path: Path, seals: dict[str, Any] | None = None) -> ProductionCheck:
    """Check a production zip: every file against the manifest, every chain link,
    every seal proof, every unredacted version's content hash, and (given seals exported
    from the archive independently) that the manifest's seal roots are the real ones."""
    check = ProductionCheck()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        check.problems.append(f"not a readable zip file: {error}")
        return check
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names:
            check.problems.append("manifest.json is missing")
            return check
        check.manifest_sha256 = hashlib.sha256(archive.read("manifest.json")).hexdigest()
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except json.JSONDecodeError:
            check.problems.append("manifest.json is not valid JSON")
            return check
        listed = manifest.get("files", {})
        for name in sorted(names - {"manifest.json"} - set(listed)):
            check.problems.append(f"{name} is not in the manifest (added)")
        for name, entry in sorted(listed.items()):
            if name not in names:
                check.problems.append(f"{name} is missing")
                continue
            if hashlib.sha256(archive.read(name)).hexdigest() != entry["sha256"]:
                check.problems.append(f"{name} does not match its SHA-256 (changed)")
            check.files += 1
        _check_links(manifest, check)
        if seals is not None:
            _check_roots(manifest, seals, check)
        if "items.jsonl" in names and not check.problems:
            _check_contents(archive.read("items.jsonl"), manifest, check)
    return check


def _check_links(manifest: dict[str, Any], check: ProductionCheck) -> None:
    for entry in manifest.get("versions", []):
        check.versions += 1
        label = f"{entry['account']} item {entry['item_id']} version {entry['version']}"
        record = hashing.chain_record(seq=entry["chain_seq"], item_id=entry["item_id"],
                                      version_no=entry["version"], change=entry["change"],
                                      captured_at=entry["captured_at"],
                                      content_hash=entry["content_hash"], raw_hash=entry["raw_hash"])
        if hashing.chain_hash(entry["prev_hash"], record) != entry["chain_hash"]:
            check.problems.append(f"{label}: chain link does not match its record")
        seal = entry.get("seal")
        if seal and not hashing.verify_proof(entry["chain_hash"], seal["path"], seal["root"]):
            check.problems.append(f"{label}: not part of the seal of {seal['day']}")


def _check_roots(manifest: dict[str, Any], seals: dict[str, Any], check: ProductionCheck) -> None:
    roots = {(s["platform"], s["handle"], s["day"]): s["root"] for s in seals.get("seals", [])}
    for entry in manifest.get("versions", []):
        seal = entry.get("seal")
        if not seal:
            continue
        real = roots.get((entry["platform"], entry["account"], seal["day"]))
        if real != seal["root"]:
            check.problems.append(f"{entry['account']} item {entry['item_id']}: the seal root of "
                                  f"{seal['day']} is not the one the archive exported")


def _check_contents(jsonl: bytes, manifest: dict[str, Any], check: ProductionCheck) -> None:
    redacted = set(manifest.get("redaction", {}).get("fields", []))
    expected = {(v["account"], v["item_id"], v["version"]): v["content_hash"]
                for v in manifest.get("versions", [])}
    for line in jsonl.decode().splitlines():
        item = json.loads(line)
        for data in item["versions"]:
            if data.get("disposed") or redacted & {"author", "text", "url", "media"}:
                continue
            fields = {**data, "deleted": data["change"] == Change.DELETED}
            if hashing.content_hash(fields) != expected.get(
                    (item["account"], item["item_id"], data["version"])):
                check.problems.append(f"{item['account']} item {item['item_id']} version "
                                      f"{data['version']}: content does not match its hash")

