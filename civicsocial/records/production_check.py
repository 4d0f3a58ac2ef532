"""Verifying a FOIL production (P27): every file against the manifest, every chain link
and seal proof, and each version's content against its hash; used by `civicsocial foil
verify` and by anyone given the zip."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from civicsocial.records import evidence, hashing
from civicsocial.records.models import Change
from civicsocial.records.production import SIGNATURE_FILE, TIMESTAMP_FILE


@dataclass
class ProductionCheck:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    versions: int = 0
    manifest_sha256: str = ""
    signer: str = ""
    timestamped_at: datetime | None = None
    signed_pdfs: int = 0
    notes: list[str] = field(default_factory=list)  # not failures: what could not be checked

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_production(path: Path, seals: dict[str, Any] | None = None, roots: bytes = b"",
                      progress: Callable[[int, int], None] | None = None) -> ProductionCheck:
    """Check a production zip: every file against the manifest, every chain link,
    every seal proof, every unredacted version's content hash, (given seals exported
    from the archive independently) that the manifest's seal roots are the real ones, and
    (given trusted roots, PEM) the manifest's signature and time-stamp and each thread
    PDF's signature (issue 21). `progress(done, total)` counts the files checked."""
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
        manifest_bytes = archive.read("manifest.json")
        check.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        try:
            manifest = json.loads(manifest_bytes)
        except json.JSONDecodeError:
            check.problems.append("manifest.json is not valid JSON")
            return check
        listed = manifest.get("files", {})
        for name in sorted(names - {"manifest.json", SIGNATURE_FILE, TIMESTAMP_FILE} - set(listed)):
            check.problems.append(f"{name} is not in the manifest (added)")
        signed = _check_manifest_evidence(archive, manifest_bytes, manifest, roots, check)
        for done, (name, entry) in enumerate(sorted(listed.items()), 1):
            if name not in names:
                check.problems.append(f"{name} is missing")
            else:
                data = archive.read(name)  # once: its hash, and (a thread PDF) its signature
                if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    check.problems.append(f"{name} does not match its SHA-256 (changed)")
                if signed and name.startswith("threads/") and name.endswith(".pdf"):
                    _check_pdf(name, data, roots, check)
                check.files += 1
            if progress:
                progress(done, len(listed))
        _check_links(manifest, check)
        if seals is not None:
            _check_roots(manifest, seals, check)
        if "items.jsonl" in names and not check.problems:
            _check_contents(archive.read("items.jsonl"), manifest, check)
    return check


def _check_manifest_evidence(archive: zipfile.ZipFile, manifest_bytes: bytes, manifest: dict[str, Any],
                             roots: bytes, check: ProductionCheck) -> bool:
    """The city's signature on the manifest and the authority's time-stamp of it, against
    the roots the verifier trusts (not any in the zip). True when the thread PDFs' own
    signatures are to be checked too (signed, and roots given)."""
    names = set(archive.namelist())
    signed = SIGNATURE_FILE in names or bool(manifest.get("evidence", {}).get("signed"))
    if not signed:
        (check.problems if roots else check.notes).append("the production is not signed")
        return False
    if not roots:
        check.problems.append("the production is signed, but no trusted roots were given to check it "
                              "(--trust ROOTS.pem, or CIVICSOCIAL_EVIDENCE_TRUST)")
        return False
    for name in (SIGNATURE_FILE, TIMESTAMP_FILE):
        if name not in names:
            check.problems.append(f"{name} is missing")
    if SIGNATURE_FILE in names:
        check.signer, problem = evidence.check_signature(manifest_bytes, archive.read(SIGNATURE_FILE), roots)
        if problem:
            check.problems.append(f"{SIGNATURE_FILE}: {problem}")
    if TIMESTAMP_FILE in names:
        digest = bytes.fromhex(check.manifest_sha256)
        check.timestamped_at, problem = evidence.check_timestamp(digest, archive.read(TIMESTAMP_FILE), roots)
        if problem:
            check.problems.append(f"{TIMESTAMP_FILE}: {problem}")
    return True


def _check_pdf(name: str, data: bytes, roots: bytes, check: ProductionCheck) -> None:
    problem = evidence.check_pdf(data, roots)
    if problem:
        check.problems.append(f"{name}: {problem}")
    else:
        check.signed_pdfs += 1


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
