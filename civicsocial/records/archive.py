"""Archiving captures (P25, P27): compare each capture with what the item was at that
moment; unchanged is not stored again, a change is a new version (edit), a removal is a
deletion version. Versions are appended to their stream's hash chain.

`archive_captures` is the one function every way in (file import, platform adapters)
calls. A batch is one transaction: after a crash it is either all there or not at all,
and re-archiving the same captures changes nothing (idempotent).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from civicsocial.records import hashing
from civicsocial.records.capture import Capture
from civicsocial.records.media import store_media
from civicsocial.records.models import (
    ArchivedItem,
    ArchiveStream,
    Change,
    ItemVersion,
    VersionContent,
)
from civicsocial.records.search.backends import index_versions
from civicsocial.records.search.text import index_body
from civicsocial.registry.models import Account


@dataclass
class ArchiveResult:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, other: ArchiveResult) -> None:
        self.counts.update(other.counts)


@dataclass
class _Seen:
    """What the archive knows of one item's versions: (captured_at, content hash, change)."""

    item: ArchivedItem | None
    history: list[tuple[str, str, str]]


def _content_fields(capture: Capture, media: list[dict[str, str | None]]) -> dict[str, object]:
    return {"kind": capture.kind, "author": capture.author, "text": capture.text,
            "created_at": capture.created_at, "parent_id": capture.parent_id, "url": capture.url,
            "language": capture.language, "deleted": capture.deleted, "media": media}


def _store_media(capture: Capture) -> list[dict[str, str | None]]:
    return [{"url": m.url, "content_type": m.content_type,
             "sha256": store_media(m.data, m.content_type) if m.data is not None else None}
            for m in capture.media]


def _decide(seen: _Seen, captured_at: str, digest: str, deleted: bool) -> str | None:
    """The change this capture makes, or None when it adds nothing."""
    if not seen.history:
        return Change.DELETED if deleted else Change.CREATED
    if any(at == captured_at and h == digest for at, h, _ in seen.history):
        return None  # the very same capture, archived before
    earlier = [entry for entry in seen.history if entry[0] <= captured_at] or seen.history[:1]
    _, last_hash, last_change = earlier[-1]
    was_deleted = last_change == Change.DELETED
    if deleted:
        return None if was_deleted else Change.DELETED
    if last_hash == digest:
        return None
    return Change.RESTORED if was_deleted else Change.EDITED


def _streams(captures: Sequence[Capture]) -> dict[tuple[str, str], ArchiveStream]:
    keys = {(c.platform, c.account) for c in captures}
    for platform, handle in keys:
        account = Account.objects.filter(platform=platform, handle__iexact=handle).first()
        ArchiveStream.objects.get_or_create(platform=platform, handle=handle,
                                            defaults={"account": account})
    locked = ArchiveStream.objects.select_for_update().order_by("pk").filter(
        platform__in={k[0] for k in keys}, handle__in={k[1] for k in keys})
    return {(s.platform, s.handle): s for s in locked if (s.platform, s.handle) in keys}


def _seen(streams: dict[tuple[str, str], ArchiveStream],
          captures: Sequence[Capture]) -> dict[tuple[int, str], _Seen]:
    wanted = {(streams[(c.platform, c.account)].pk, c.item_id) for c in captures}
    items = ArchivedItem.objects.filter(stream_id__in={s for s, _ in wanted},
                                        item_id__in={i for _, i in wanted})
    seen = {(i.stream_id, i.item_id): _Seen(i, []) for i in items
            if (i.stream_id, i.item_id) in wanted}
    by_pk = {entry.item.pk: entry for entry in seen.values() if entry.item}
    for item_pk, at, digest, change in ItemVersion.objects.filter(item_id__in=by_pk).order_by(
            "item_id", "version_no").values_list("item_id", "captured_at", "content_hash", "change"):
        by_pk[item_pk].history.append((at.isoformat(), digest, change))
    for key in wanted:
        seen.setdefault(key, _Seen(None, []))
    return seen


@transaction.atomic
def archive_captures(captures: Sequence[Capture]) -> ArchiveResult:
    """Archive one batch of captures, in order, in one transaction."""
    result = ArchiveResult()
    if not captures:
        return result
    streams = _streams(captures)
    seen = _seen(streams, captures)
    now = timezone.now()
    new_versions: list[tuple[ItemVersion, VersionContent, str]] = []
    created: list[ArchivedItem] = []
    touched: dict[int, ArchivedItem] = {}
    for capture in captures:
        stream = streams[(capture.platform, capture.account)]
        entry = seen[(stream.pk, capture.item_id)]
        media = _store_media(capture)
        digest = hashing.content_hash(_content_fields(capture, media))
        captured_at = capture.captured_at.isoformat()
        change = _decide(entry, captured_at, digest, capture.deleted)
        if change is None:
            result.counts["unchanged"] += 1
            continue
        item = entry.item
        if item is None:
            item = ArchivedItem(stream=stream, item_id=capture.item_id, kind=capture.kind,
                                first_captured_at=capture.captured_at,
                                last_captured_at=capture.captured_at)
            entry.item = item
            created.append(item)
        elif item.pk is not None:
            touched[item.pk] = item
        item.versions += 1
        item.last_captured_at = max(item.last_captured_at, capture.captured_at)
        item.deleted = change == Change.DELETED
        item.edited = item.edited or change == Change.EDITED
        raw_hash = hashing.sha256_hex(capture.raw.encode())
        stream.head_seq += 1
        record = hashing.chain_record(seq=stream.head_seq, item_id=capture.item_id,
                                      version_no=item.versions, change=change,
                                      captured_at=captured_at, content_hash=digest,
                                      raw_hash=raw_hash)
        link = hashing.chain_hash(stream.head_hash, record)
        version = ItemVersion(item=item, stream=stream, version_no=item.versions, change=change,
                              captured_at=capture.captured_at, content_hash=digest,
                              raw_hash=raw_hash, chain_seq=stream.head_seq,
                              prev_hash=stream.head_hash, chain_hash=link, archived_at=now)
        stream.head_hash = link
        content = VersionContent(author=capture.author, text=capture.text,
                                 created_at=capture.created_at, parent_id=capture.parent_id,
                                 url=capture.url, language=capture.language, media=media,
                                 raw=capture.raw)
        new_versions.append((version, content, capture.text))
        entry.history.append((captured_at, digest, change))
        result.counts[str(change)] += 1
    _save(created, touched, new_versions, streams)
    return result


def _save(created: list[ArchivedItem], touched: dict[int, ArchivedItem],
          new_versions: list[tuple[ItemVersion, VersionContent, str]],
          streams: dict[tuple[str, str], ArchiveStream]) -> None:
    """Write a batch with as few statements as the engines allow (no per-row ORM saves)."""
    ArchivedItem.objects.bulk_create(created, batch_size=1000)
    for version, _, _ in new_versions:
        version.item = version.item  # picks up the primary key the item just got
    ItemVersion.objects.bulk_create([v for v, _, _ in new_versions], batch_size=1000)
    for version, content, _ in new_versions:
        content.version = version
    VersionContent.objects.bulk_create([c for _, c, _ in new_versions], batch_size=1000)
    index_versions([(v.pk, index_body(text)) for v, _, text in new_versions])
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE records_archiveditem SET versions = %s, last_captured_at = %s, deleted = %s, "
            "edited = %s WHERE id = %s",
            [(i.versions, adapt(i.last_captured_at), i.deleted, i.edited, i.pk)
             for i in touched.values()])
    for stream in streams.values():
        ArchiveStream.objects.filter(pk=stream.pk).update(head_seq=stream.head_seq,
                                                          head_hash=stream.head_hash)
