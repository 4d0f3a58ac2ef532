"""Proving nothing was altered: daily seals and verification.

`verify` walks every stream's chain in order and recomputes each version's content
hash, raw hash and chain link; the first version that does not add up is named. A
consistent rewrite of a whole chain recomputes cleanly, which is why seals exist: a
Merkle root per stream per day, exported and kept elsewhere (`export_seals`), and
checked with `verify(against=...)`.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicsocial.records import hashing
from civicsocial.records.models import (
    GENESIS_HASH,
    ArchiveStream,
    Change,
    DailySeal,
    Disposal,
    ItemVersion,
    VersionContent,
)
from civicsocial.records.seal_stamps import check_stamps, exported

Progress = Callable[[int, int], None]  # versions checked, of all


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    stamps_checked: int = 0  # seals whose third-party time-stamp was checked (issue 21)
    stamps_waiting: int = 0  # seals not time-stamped yet
    notes: list[str] = field(default_factory=list)  # not failures: what could not be checked

    @property
    def ok(self) -> bool:
        return not self.problems


def version_content_hash(version: ItemVersion, content: VersionContent, kind: str) -> str:
    return hashing.content_hash({
        "kind": kind, "author": content.author, "text": content.text,
        "created_at": content.created_at.isoformat() if content.created_at else None,
        "parent_id": content.parent_id, "url": content.url, "language": content.language,
        "deleted": version.change == Change.DELETED, "media": content.media})


def version_record(version: ItemVersion, item_id: str) -> dict[str, Any]:
    return hashing.chain_record(seq=version.chain_seq, item_id=item_id,
                                version_no=version.version_no, change=version.change,
                                captured_at=version.captured_at.isoformat(),
                                content_hash=version.content_hash, raw_hash=version.raw_hash)


def _versions(stream: ArchiveStream, after: int = 0) -> Iterator[ItemVersion]:
    return ItemVersion.objects.filter(stream=stream, chain_seq__gt=after).select_related("item", "content") \
        .order_by("chain_seq").iterator(chunk_size=2000)


def _check_version(version: ItemVersion, expected_seq: int, prev: str,
                   disposed: dict[int, str]) -> str | None:
    """What is wrong with one link, or None."""
    if version.chain_seq != expected_seq:
        return f"sequence {version.chain_seq} where {expected_seq} was expected (inserted or removed)"
    if version.prev_hash != prev:
        return "does not follow the previous link (reordered or removed before it)"
    content = getattr(version, "content", None)
    if content is None:
        if disposed.get(version.pk) != version.content_hash:
            return "content is missing and no disposal was recorded"
    else:
        if version_content_hash(version, content, version.item.kind) != version.content_hash:
            return "content does not match its hash (changed)"
        if hashing.sha256_hex(content.raw.encode()) != version.raw_hash:
            return "raw payload does not match its hash (changed)"
    if hashing.chain_hash(prev, version_record(version, version.item.platform_id)) != version.chain_hash:
        return "link hash does not match its record (changed)"
    return None


class _SealCheck:
    """Collects each seal's stretch of chain hashes during the walk and checks it when
    the stretch is complete, so memory stays bounded by one day of one stream."""

    def __init__(self, seals: list[dict[str, Any]], source: str) -> None:
        self.source = source
        self.by_stream: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        for seal in sorted(seals, key=lambda x: x["first_seq"]):
            self.by_stream[seal["stream_id"]].append({**seal, "hashes": []})

    def add(self, stream_id: int, seq: int, link: str, report: VerifyReport) -> None:
        for seal in self.by_stream.get(stream_id, []):
            if seal["first_seq"] <= seq <= seal["last_seq"]:
                seal["hashes"].append(link)
                if seq == seal["last_seq"]:
                    self._judge(seal, report)

    def _judge(self, seal: dict[str, Any], report: VerifyReport) -> None:
        hashes = seal.pop("hashes")
        if len(hashes) != seal["count"] or hashing.merkle_root(hashes) != seal["root"]:
            report.problems.append(
                f"{seal['label']}: {self.source} of {seal['day']} (sequences {seal['first_seq']}-"
                f"{seal['last_seq']}) does not match the archive: the chain was rewritten")

    def finish(self, report: VerifyReport) -> None:
        for stream_id, seals in self.by_stream.items():
            for seal in seals:
                if "hashes" not in seal:
                    continue
                if stream_id is None:
                    problem = "names a stream the archive no longer has"
                else:
                    problem = f"covers sequences up to {seal['last_seq']} the chain no longer has"
                report.problems.append(f"{seal['label']}: {self.source} of {seal['day']} {problem}")


def _check_chain(stream: ArchiveStream, checks: list[_SealCheck], disposed: dict[int, str],
                 report: VerifyReport, tick: Callable[[], None] | None) -> None:
    """Check one stream's chain link by link, then that it ends where the stream's head
    says. Capture may go on meanwhile: the head is read after the links, and when it has
    moved on (a batch committed since), the links written since are read and checked too.
    A chain longer than its head, or shorter with nothing more to read, is a problem."""
    prev, expected = GENESIS_HASH, 1
    while True:
        read = 0
        for version in _versions(stream, after=expected - 1):
            problem = _check_version(version, expected, prev, disposed)
            report.checked, read = report.checked + 1, read + 1
            if tick and report.checked % 1000 == 0:
                tick()
            if problem:
                report.problems.append(
                    f"{stream}: first broken link at sequence {version.chain_seq} "
                    f"(item {version.item.platform_id} version {version.version_no}): {problem}")
                return
            for check in checks:
                check.add(stream.pk, version.chain_seq, version.chain_hash, report)
            prev, expected = version.chain_hash, expected + 1
        head_seq, head_hash = ArchiveStream.objects.values_list("head_seq", "head_hash").get(pk=stream.pk)
        if (head_seq, head_hash) == (expected - 1, prev):
            return
        end = expected - 1
        if head_seq > end and read:
            continue  # a batch committed since these links were read: read on
        if head_seq > end:
            why = "versions removed at the end"
        elif head_seq < end:
            why = "links past the head: written around the archive, or the head put back"
        else:
            why = "the last link replaced"
        report.problems.append(f"{stream}: the chain ends at {end} but its head says {head_seq} ({why})")
        return


def verify(against: dict[str, Any] | None = None, progress: Progress | None = None,
           roots: bytes = b"") -> VerifyReport:
    """Check every chain, the stored seals, (if given) exported seals, and (given trusted
    roots, PEM) each seal's time-stamp."""
    report = VerifyReport()
    disposed = dict(Disposal.objects.values_list("version_id", "content_hash"))
    sources = [("stored seal", _stored_seals())]
    if against is not None:
        sources.append(("exported seal", _exported_seals(against)))
    checks = [_SealCheck(seals, source) for source, seals in sources]
    total = ItemVersion.objects.count() if progress else 0
    for stream in ArchiveStream.objects.order_by("pk"):
        _check_chain(stream, checks, disposed, report,
                     (lambda: progress(report.checked, max(total, report.checked))) if progress else None)
    if progress:
        progress(report.checked, report.checked)
    for check in checks:
        check.finish(report)
    for source, seals in sources:
        stamps = check_stamps(seals, roots, source)
        report.problems += stamps.problems
        report.notes += [n for n in stamps.notes if n not in report.notes]
        report.stamps_checked += stamps.checked
        report.stamps_waiting = max(report.stamps_waiting, stamps.waiting)
    return report


def _stored_seals() -> list[dict[str, Any]]:
    return [{"stream_id": s.stream_id, "day": s.day, "root": s.root, "count": s.count,
             "first_seq": s.first_seq, "last_seq": s.last_seq, "label": str(s.stream),
             "platform": s.stream.platform, "handle": s.stream.handle,
             "timestamp": bytes(s.timestamp.token) if hasattr(s, "timestamp") else None}
            for s in DailySeal.objects.select_related("stream", "timestamp")]


def _exported_seals(data: dict[str, Any]) -> list[dict[str, Any]]:
    streams = {(s.platform, s.handle): s.pk for s in ArchiveStream.objects.all()}
    return [{"stream_id": streams.get((seal["platform"], seal["handle"])), "day": seal["day"],
             "root": seal["root"], "count": seal["count"], "first_seq": seal["first_seq"],
             "last_seq": seal["last_seq"], "label": f"{seal['handle']} on {seal['platform']}",
             "platform": seal["platform"], "handle": seal["handle"],
             "timestamp": base64.b64decode(seal["timestamp"]) if seal.get("timestamp") else None}
            for seal in data.get("seals", [])]


def seal_days(before: date | None = None) -> list[DailySeal]:
    """Seal each stream's chain archived on every complete UTC day (before `before`,
    default today) not sealed yet. Each stream is sealed in a transaction of its own,
    under its lock (as archiving takes it), so a second worker sealing at once finds
    those days sealed, and capture waits for one stream at a time only."""
    before = before or timezone.now().astimezone(UTC).date()
    start = datetime.combine(before, datetime.min.time(), tzinfo=UTC)
    created: list[DailySeal] = []
    for pk in ArchiveStream.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            stream = ArchiveStream.objects.select_for_update().get(pk=pk)
            created += DailySeal.objects.bulk_create(_new_seals(stream, start))
    return created


def _new_seals(stream: ArchiveStream, start: datetime) -> list[DailySeal]:
    last = DailySeal.objects.filter(stream=stream).order_by("-last_seq").first()
    groups: dict[date, list[tuple[int, str]]] = defaultdict(list)
    for seq, at, link in ItemVersion.objects.filter(
            stream=stream, chain_seq__gt=last.last_seq if last else 0, archived_at__lt=start,
    ).order_by("chain_seq").values_list("chain_seq", "archived_at", "chain_hash") \
            .iterator(chunk_size=5000):
        groups[at.astimezone(UTC).date()].append((seq, link))
    return [DailySeal(stream=stream, day=day, root=hashing.merkle_root([h for _, h in rows]),
                      count=len(rows), first_seq=rows[0][0], last_seq=rows[-1][0])
            for day, rows in sorted(groups.items())]


def export_seals() -> dict[str, Any]:
    """Every seal, to be kept outside the archive (another system, paper, a notary)."""
    return {"format": "civicsocial-seals/1", "exported_at": timezone.now().isoformat(),
            "merkle": "RFC 6962 over chain hashes in chain order",
            "timestamps": "RFC 3161 token (base64 DER) over SHA-256 of `statement`",
            "seals": [{"platform": s.stream.platform, "handle": s.stream.handle,
                       "day": s.day.isoformat(), "root": s.root, "count": s.count,
                       "first_seq": s.first_seq, "last_seq": s.last_seq, **exported(s)}
                      for s in DailySeal.objects.select_related("stream", "timestamp")
                      .order_by("stream_id", "day")]}


class SealProofs:
    """Merkle proofs tying versions to the seals that cover them. Loads each stream's
    seals once and each seal's chain hashes once, however many versions ask."""

    def __init__(self) -> None:
        self._seals: dict[int, list[DailySeal]] = {}
        self._trees: dict[int, hashing.MerkleTree] = {}

    def proof(self, version: ItemVersion) -> dict[str, Any] | None:
        if version.stream_id not in self._seals:
            self._seals[version.stream_id] = list(DailySeal.objects.filter(stream_id=version.stream_id))
        seal = next((s for s in self._seals[version.stream_id]
                     if s.first_seq <= version.chain_seq <= s.last_seq), None)
        if seal is None:
            return None
        if seal.pk not in self._trees:
            self._trees[seal.pk] = hashing.MerkleTree(list(ItemVersion.objects.filter(
                stream_id=version.stream_id, chain_seq__gte=seal.first_seq,
                chain_seq__lte=seal.last_seq).order_by("chain_seq").values_list("chain_hash", flat=True)))
        index = version.chain_seq - seal.first_seq
        return {"day": seal.day.isoformat(), "root": seal.root, "count": seal.count,
                "index": index, "path": self._trees[seal.pk].proof(index)}

