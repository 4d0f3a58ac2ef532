"""Archiving captures (P25, P27): compare each capture with what the item was at that
moment; unchanged is not stored again, a change is a new version (edit), a removal is a
deletion version. Versions are appended to their stream's hash chain.

`archive_captures` is the one function every way in (file import, platform adapters)
calls. A batch is one transaction: after a crash it is either all there or not at all,
and re-archiving the same captures changes nothing (idempotent).

The write path uses plain rows and `executemany`, not model instances: at a million
captures, building and saving ORM objects was most of the import's time (bench/).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from civicsocial.records import hashing
from civicsocial.records.bulk import any_of, insert_rows, reserve_ids
from civicsocial.records.capture import Capture
from civicsocial.records.holds import hold_for_open_cases
from civicsocial.records.media import store_media
from civicsocial.records.models import ArchiveStream, Change
from civicsocial.records.search.backends import doc_id, index_versions, keeps_item_state, mark
from civicsocial.records.search.text import REMOVED, SEVERAL, index_body, scope_words
from civicsocial.registry.models import Account


@dataclass
class ArchiveResult:
    counts: Counter[str] = field(default_factory=Counter)
    new_items: list[int] = field(default_factory=list)  # pks of the items first archived now
    changed_items: list[int] = field(default_factory=list)  # pks of items given a version now

    def add(self, other: ArchiveResult) -> None:
        self.counts.update(other.counts)
        self.new_items += other.new_items
        self.changed_items += other.changed_items


@dataclass(slots=True)
class _Item:
    """What the archive knows of one item: its row and its versions' history
    of (captured_at, content hash, change)."""

    stream_id: int
    platform_id: str
    kind: str
    first_captured_at: datetime
    last_captured_at: datetime
    pk: int | None = None
    versions: int = 0
    deleted: bool = False
    edited: bool = False
    history: list[tuple[str, str, str]] = field(default_factory=list)
    was_deleted: bool = False  # as stored before this batch: how its indexed versions are marked


@dataclass(slots=True)
class _Version:
    item: _Item
    stream: ArchiveStream
    capture: Capture
    change: str
    version_no: int
    content_hash: str
    raw_hash: str
    seq: int
    prev_hash: str
    chain_hash: str
    media: list[dict[str, str | None]]


def _content_fields(capture: Capture, media: list[dict[str, str | None]]) -> dict[str, object]:
    return {"kind": capture.kind, "author": capture.author, "text": capture.text,
            "created_at": capture.created_at, "parent_id": capture.parent_id, "url": capture.url,
            "language": capture.language, "deleted": capture.deleted, "media": media}


def _store_media(capture: Capture) -> list[dict[str, str | None]]:
    return [{"url": m.url, "content_type": m.content_type,
             "sha256": store_media(m.data, m.content_type) if m.data is not None else None}
            for m in capture.media]


def _decide(item: _Item | None, captured_at: str, digest: str, deleted: bool) -> str | None:
    """The change this capture makes, or None when it adds nothing."""
    if item is None or not item.history:
        return Change.DELETED if deleted else Change.CREATED
    history = item.history
    if any(at == captured_at and h == digest for at, h, _ in history):
        return None  # the very same capture, archived before
    earlier = [entry for entry in history if entry[0] <= captured_at] or history[:1]
    _, last_hash, last_change = earlier[-1]
    was_deleted = last_change == Change.DELETED
    if deleted:
        return None if was_deleted else Change.DELETED
    if last_hash == digest:
        return None
    return Change.RESTORED if was_deleted else Change.EDITED


def _streams(captures: Sequence[Capture]) -> dict[tuple[str, str], ArchiveStream]:
    """The batch's streams, locked, created on first sight (with the registry account if
    there is one; none flags the handle for P1)."""
    keys = {(c.platform, c.account) for c in captures}

    def existing() -> dict[tuple[str, str], ArchiveStream]:
        locked = ArchiveStream.objects.select_for_update().order_by("pk").filter(
            platform__in={k[0] for k in keys}, handle__in={k[1] for k in keys})
        return {(s.platform, s.handle): s for s in locked if (s.platform, s.handle) in keys}

    streams = existing()
    if len(streams) == len(keys):
        return streams
    for platform, handle in keys - streams.keys():
        account = Account.objects.filter(platform=platform, handle__iexact=handle).first()
        ArchiveStream.objects.get_or_create(platform=platform, handle=handle,
                                            defaults={"account": account})
    return existing()


ITEM_COLUMNS = ("SELECT stream_id, id, platform_id, kind, first_captured_at, last_captured_at, versions, "
                "deleted, edited FROM records_archiveditem ")


def _select_items(cursor: CursorWrapper, by_stream: dict[int, set[str]]) -> Iterator[tuple[Any, ...]]:
    """The rows (stream id first) of the archived items with these ids in each stream:
    on PostgreSQL in one statement for the batch, the (stream, id) pairs as two arrays
    (a statement per stream was 0.5 of a 100,000-line import's 10 s; issue 21)."""
    if connection.vendor == "postgresql":
        pairs = sorted((stream_id, pid) for stream_id, pids in by_stream.items() for pid in pids)
        cursor.execute(ITEM_COLUMNS + "WHERE (stream_id, platform_id) IN "  # noqa: S608 - constants
                       "(SELECT * FROM unnest(%s::bigint[], %s::text[]))",
                       [[stream_id for stream_id, _ in pairs], [pid for _, pid in pairs]])
        yield from cursor.fetchall()
        return
    for stream_id, platform_ids in by_stream.items():
        for condition, values in any_of("platform_id", sorted(platform_ids)):
            cursor.execute(ITEM_COLUMNS + f"WHERE stream_id = %s AND {condition}",
                           [stream_id, *values])
            yield from cursor.fetchall()


def _known_items(streams: dict[tuple[str, str], ArchiveStream],
                 captures: Sequence[Capture]) -> dict[tuple[int, str], _Item]:
    """The items of this batch the archive already has, with their version history."""
    wanted: dict[int, set[str]] = {}
    for capture in captures:
        wanted.setdefault(streams[(capture.platform, capture.account)].pk,
                          set()).add(capture.item_id)
    known: dict[tuple[int, str], _Item] = {}
    with connection.cursor() as cursor:
        for stream_id, pk, platform_id, kind, first, last, count, deleted, edited in _select_items(
                cursor, wanted):
            known[(stream_id, platform_id)] = _Item(
                stream_id, platform_id, kind, _from_db_time(first), _from_db_time(last), pk,
                count, bool(deleted), bool(edited), was_deleted=bool(deleted))
        by_pk = {item.pk: item for item in known.values() if item.pk is not None}
        for condition, values in any_of("item_id", sorted(by_pk)):
            cursor.execute("SELECT item_id, captured_at, content_hash, change FROM records_itemversion "  # noqa: S608
                           f"WHERE {condition} ORDER BY item_id, version_no", values)
            for item_pk, at, digest, change in cursor.fetchall():
                by_pk[item_pk].history.append((_from_db_time(at).isoformat(), digest, change))
    return known


@transaction.atomic
def archive_captures(captures: Sequence[Capture]) -> ArchiveResult:
    """Archive one batch of captures, in order, in one transaction."""
    result = ArchiveResult()
    if not captures:
        return result
    streams = _streams(captures)
    items = _known_items(streams, captures)
    known = set(items)
    start_seq = {stream.pk: stream.head_seq for stream in streams.values()}
    versions: list[_Version] = []
    touched: set[tuple[int, str]] = set()
    for capture in captures:
        stream = streams[(capture.platform, capture.account)]
        key = (stream.pk, capture.item_id)
        media = _store_media(capture)
        digest = hashing.content_hash(_content_fields(capture, media))
        captured_at = capture.captured_at.isoformat()
        change = _decide(items.get(key), captured_at, digest, capture.deleted)
        if change is None:
            result.counts["unchanged"] += 1
            continue
        item = items.get(key) or items.setdefault(key, _Item(
            stream.pk, capture.item_id, capture.kind, capture.captured_at, capture.captured_at))
        versions.append(_link(stream, item, capture, captured_at, change, digest, media))
        item.history.append((captured_at, digest, change))
        touched.add(key)
        result.counts[str(change)] += 1
    _save(items, versions, streams, start_seq)
    result.new_items = [item.pk for key, item in items.items() if key not in known and item.pk]
    result.changed_items = sorted(pk for key in touched if (pk := items[key].pk) is not None)
    hold_for_open_cases(result.changed_items)  # in this transaction: never a gap
    return result


def _link(stream: ArchiveStream, item: _Item, capture: Capture, captured_at: str, change: str,
          digest: str, media: list[dict[str, str | None]]) -> _Version:
    """Apply a change to the item and append its version to the stream's chain."""
    item.versions += 1
    item.last_captured_at = max(item.last_captured_at, capture.captured_at)
    item.deleted = change == Change.DELETED
    item.edited = item.edited or change == Change.EDITED
    raw_hash = hashing.sha256_hex(capture.raw.encode())
    stream.head_seq += 1
    record = hashing.chain_record(seq=stream.head_seq, item_id=capture.item_id,
                                  version_no=item.versions, change=change,
                                  captured_at=captured_at, content_hash=digest, raw_hash=raw_hash)
    version = _Version(item, stream, capture, change, item.versions, digest, raw_hash,
                       stream.head_seq,
                       stream.head_hash, hashing.chain_hash(stream.head_hash, record), media)
    stream.head_hash = version.chain_hash
    return version


def _from_db_time(value: str | datetime) -> datetime:
    """A datetime read with a raw cursor (SQLite gives naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _db_time() -> Callable[[datetime], str | datetime]:
    """How a timezone-aware datetime is passed to the engine: what Django's SQLite backend
    stores (naive UTC text), or the datetime itself for PostgreSQL."""
    if connection.vendor == "sqlite":
        return _sqlite_time
    return lambda value: value


def _sqlite_time(value: datetime) -> str:
    if value.tzinfo is UTC:  # captures are in UTC already: format without converting
        return value.isoformat(" ")[:-6]
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _save(items: dict[tuple[int, str], _Item], versions: list[_Version],
          streams: dict[tuple[str, str], ArchiveStream], start_seq: dict[int, int]) -> None:
    """Write a batch with a few statements of many rows each (no per-row ORM saves)."""
    if not versions:
        return
    t = _db_time()
    touched = list({id(v.item): v.item for v in versions}.values())
    new = [i for i in touched if i.pk is None]
    known = [i for i in touched if i.pk is not None]
    with connection.cursor() as cursor:
        for item, pk in zip(new, reserve_ids(cursor, "records_archiveditem", len(new)), strict=True):
            item.pk = pk
        insert_rows(
            cursor, "records_archiveditem (id, stream_id, platform_id, kind, first_captured_at, "
            "last_captured_at, versions, deleted, edited)", "(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(i.pk, i.stream_id, i.platform_id, i.kind, t(i.first_captured_at), t(i.last_captured_at),
              i.versions, i.deleted, i.edited) for i in new])
        cursor.executemany(
            "UPDATE records_archiveditem SET versions = %s, last_captured_at = %s, deleted = %s, "
            "edited = %s WHERE id = %s",
            [(i.versions, t(i.last_captured_at), i.deleted, i.edited, i.pk) for i in known])
        now = t(timezone.now())
        ids = list(reserve_ids(cursor, "records_itemversion", len(versions)))
        insert_rows(
            cursor, "records_itemversion (id, item_id, stream_id, version_no, change, captured_at, "
            "content_hash, raw_hash, chain_seq, prev_hash, chain_hash, archived_at)",
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(pk, v.item.pk, v.item.stream_id, v.version_no, v.change, t(v.capture.captured_at),
              v.content_hash, v.raw_hash, v.seq, v.prev_hash, v.chain_hash, now)
             for pk, v in zip(ids, versions, strict=True)])
        insert_rows(
            cursor, "records_versioncontent (version_id, author, text, created_at, parent_id, url, "
            "language, media, raw)", "(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(pk, v.capture.author, v.capture.text,
              t(datetime.fromisoformat(v.capture.created_at)), v.capture.parent_id, v.capture.url,
              v.capture.language, json.dumps(v.media) if v.media else "[]", v.capture.raw)
             for pk, v in zip(ids, versions, strict=True)])
        cursor.executemany(  # one statement for the batch's streams, not one each
            "UPDATE records_archivestream SET head_seq = %s, head_hash = %s WHERE id = %s",
            [(s.head_seq, s.head_hash, s.pk) for s in streams.values() if s.head_seq != start_seq[s.pk]])
    _index(versions)


def _index(versions: list[_Version]) -> None:
    """Index the batch's versions, each marked with its item's state after the batch, and
    re-mark the versions indexed before it whose item changed state in it: removed or
    restored, or given its second version (on the engine that reads them)."""
    state = keeps_item_state()
    index_versions([(doc_id(v.item.pk, v.version_no), index_body(v.capture.text),  # type: ignore[arg-type]
                     scope_words(v.item.stream_id, v.item.kind, datetime.fromisoformat(v.capture.created_at),
                                 removed=state and v.item.deleted, several=state and v.item.versions > 1))
                    for v in versions])
    if not state:
        return
    first_new: dict[int, tuple[_Item, int]] = {}
    for v in versions:
        first_new.setdefault(id(v.item), (v.item, v.version_no))
    earlier = [(item, range(1, first)) for item, first in first_new.values()]
    for removed in (True, False):
        mark([doc_id(item.pk, n) for item, numbers in earlier  # type: ignore[arg-type]
              if item.deleted == removed != item.was_deleted for n in numbers], REMOVED, removed)
    mark([doc_id(item.pk, 1) for item, numbers in earlier if len(numbers) == 1],  # type: ignore[arg-type]
         SEVERAL, True)
