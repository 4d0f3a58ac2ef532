"""The two search engines behind one interface: SQLite FTS5 (embedded) and PostgreSQL
full-text search with a GIN index. Both index the same pre-normalized words
(`text.index_body`), so a query finds the same versions on either.

The index is `records_searchindex`, created by migrations for the engine in use: an
FTS5 table, or a table with a GIN expression index. Each row's key is a *document id*
that encodes the item and the version number (`doc_id`), so counting and paging items
needs only the index, no join with the versions (the difference between tens and
hundreds of milliseconds at a million items).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.db import connection
from django.utils import timezone

from civicsocial.records.bulk import insert_rows
from civicsocial.records.models import ItemKind
from civicsocial.records.search.query import Query, to_fts5, to_tsquery
from civicsocial.records.search.text import REMOVED, SEVERAL, word_pairs

VERSION_BITS = 20  # up to a million versions per item
VERSION_MASK = (1 << VERSION_BITS) - 1


def doc_id(item_pk: int, version_no: int) -> int:
    """The index key of one version."""
    return (item_pk << VERSION_BITS) | version_no


SQLITE_SCHEMA = [
    # body: the version's words; scope: its stream, kind and dates (text.scope_words), which
    # a search's filters match inside the index; pairs: its neighbouring words joined
    # (text.word_pairs), where phrases are found (issue 21). '_' joins a pair's words.
    "CREATE VIRTUAL TABLE IF NOT EXISTS records_searchindex USING fts5("
    "body, scope, pairs, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")",
]
POSTGRES_SCHEMA = [
    # No foreign key: versions are never deleted, disposal removes its index rows itself,
    # and a reference would stop PostgreSQL from truncating the versions in test flushes.
    # (PostgreSQL checks the filters by joining the versions; scope is kept for parity.)
    "CREATE TABLE IF NOT EXISTS records_searchindex (doc bigint PRIMARY KEY, body text NOT NULL, "
    "scope text NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS records_searchindex_gin ON records_searchindex "
    "USING GIN (to_tsvector('simple', body))",
]


def schema(vendor: str) -> list[str]:
    return SQLITE_SCHEMA if vendor == "sqlite" else POSTGRES_SCHEMA


def _key() -> str:
    return "rowid" if connection.vendor == "sqlite" else "doc"


def index_versions(rows: Sequence[tuple[int, str, str]]) -> None:
    """Add (doc id, normalized body, scope words) rows to the index (and, on SQLite, the
    body's word pairs), in key order: FTS5 writes out the words it holds in memory as a
    new piece of index whenever a row's key is below the last one's, and a batch's edits
    of older items came in capture order (a piece each; 100,000 lines: 1.1 -> 0.6 s)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            insert_rows(cursor, "records_searchindex(rowid, body, scope, pairs)", "(%s, %s, %s, %s)",
                        [(doc, body, scope, word_pairs(body.split())) for doc, body, scope in sorted(rows)])
        else:
            insert_rows(cursor, "records_searchindex(doc, body, scope)", "(%s, %s, %s)", rows)


def add_word_pairs() -> None:
    """Make SQLite's index again with its pairs column (migration 0017), from the old
    table's own rows: its words and scope, state words included. Nothing on PostgreSQL."""
    if connection.vendor != "sqlite":
        return
    old = "records_searchindex_before_pairs"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE records_searchindex RENAME TO {old}")
        for statement in SQLITE_SCHEMA:
            cursor.execute(statement)
        cursor.execute(f"SELECT rowid, body, scope FROM {old} ORDER BY rowid")  # noqa: S608
        while rows := cursor.fetchmany(5000):
            index_versions(rows)
        cursor.execute(f"DROP TABLE {old}")
    compact_index()


def unindex_versions(docs: Iterable[int]) -> None:
    """Remove disposed versions (by doc id) from the index."""
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM records_searchindex WHERE {_key()} = %s",  # noqa: S608
                           [(doc,) for doc in docs])


def keeps_item_state() -> bool:
    """Whether the index's scope carries its items' state words (text.REMOVED and
    SEVERAL): on SQLite, whose searches read them. PostgreSQL answers those filters by
    join (Scope.sql) and never reads them, and re-marking a row there writes a new row
    and its GIN entries: 1.7 s of a 100,000-line import's 38 (issue 21)."""
    return connection.vendor == "sqlite"


def mark(docs: Iterable[int], word: str, present: bool) -> None:
    """Add (present) or take away a state word (text.REMOVED, text.SEVERAL) on these
    documents' scope: versions indexed before their item changed state."""
    spaced = f" {word}"
    change = "scope || %s" if present else "replace(scope, %s, '')"
    rows = [(spaced, doc, f"%{spaced}%", not present) for doc in sorted(docs)]  # see index_versions
    if not rows:
        return
    with connection.cursor() as cursor:  # only rows not yet so: running it twice changes nothing
        cursor.executemany(f"UPDATE records_searchindex SET scope = {change} "  # noqa: S608
                           f"WHERE {_key()} = %s AND (scope LIKE %s) = %s", rows)


def compact_index() -> None:
    """Merge the index's pieces into one (SQLite FTS5 `optimize`; PostgreSQL: move the
    GIN index's pending entries into it). Every update of a row (a state word, a
    disposal) leaves a piece to read past: 195,000 such updates made a common word's
    exact count 89 -> 129 ms at a million versions; compacted, 89 again (issue 21). It
    rewrites the whole index (3.8 s at a million versions, while captures wait), so it
    is a nightly duty. Running it twice leaves the same index."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO records_searchindex(records_searchindex) VALUES ('optimize')")
        else:
            cursor.execute("SELECT gin_clean_pending_list('records_searchindex_gin'::regclass)")


def compact_after_import(added: int) -> bool:
    """Compact the index after an import that added at least a tenth of its versions
    (the import's pieces would wait for the night; compacting costs what the whole index
    does, so a small import leaves it to the night). Whether it compacted. PostgreSQL's
    GIN index moves its pending entries in itself past gin_pending_list_limit."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM records_itemversion")
        versions = int(cursor.fetchone()[0])
    if added * 10 < versions:
        return False
    compact_index()
    return True


def _match(query: Query, within: str = "") -> tuple[str, list[str]]:
    """WHERE clause (over records_searchindex) for the query, and its parameter; on
    SQLite, `within` (scope words, Scope.terms) narrows it inside the index."""
    if connection.vendor == "sqlite":
        return "records_searchindex MATCH %s", [f"({to_fts5(query)}){within}"]
    return "to_tsvector('simple', body) @@ to_tsquery('simple', %s)", [to_tsquery(query)]


def version_ids_sql(query: Query) -> tuple[str, list[str]]:
    """SQL selecting the ids of the versions that match, and its parameters."""
    where, params = _match(query)
    # The matching documents are found once, in a materialized CTE: left to itself,
    # PostgreSQL may plan the index as the inner side of a nested loop over the versions
    # and match every row's text again for each version (seen: minutes for one search).
    return (f"WITH matched AS MATERIALIZED (SELECT {_key()} AS doc FROM records_searchindex "  # noqa: S608
            f"WHERE {where}) SELECT v.id FROM matched JOIN records_itemversion v "
            f"ON v.item_id = (matched.doc >> {VERSION_BITS}) "
            f"AND v.version_no = (matched.doc & {VERSION_MASK})", params)


@dataclass(frozen=True)
class Scope:
    """What narrows the matching documents besides the words, as SQL the engine checks
    while it reads the index in key order: the streams (an agency's accounts, an account
    or platform filter; None: all), the item's kind and state, the version's author and
    time written."""

    stream_ids: tuple[int, ...] | None = None
    kind: str = ""
    exclude_deleted: bool = False
    author: str = ""
    since: datetime | None = None
    before: datetime | None = None

    @property
    def all_in_index(self) -> bool:
        """Whether the index alone answers it (SQLite: no author, no open date range)."""
        return connection.vendor == "sqlite" and not any(self.in_index().sql()[:2])

    @property
    def empty_streams(self) -> bool:
        """Scoped to no stream at all: nothing can match."""
        return self.stream_ids is not None and not self.stream_ids

    def terms(self, *required: str) -> str:
        """On SQLite, the streams, kind, dates and removed items (and any required state
        words) as a condition on the scope column (FTS5 syntax; every word is made here
        from ids, choices and digits)."""
        if connection.vendor != "sqlite":
            return ""
        groups, left_out = list(required), [REMOVED] if self.exclude_deleted else []
        if self.stream_ids is not None:
            groups.append(" OR ".join(f"s{int(pk)}" for pk in self.stream_ids))
        if self._common_kind:
            # FTS5 reads the whole list of a word it intersects with: for the archive's
            # most common kind, leaving out the others reads the shorter lists (every
            # version has exactly one kind word). Measured: 36 against 21 ms (issue 21).
            left_out += [f"k{other}" for other in ItemKind.values if other != self.kind]
        elif self.kind:
            groups.append("k" + "".join(c for c in self.kind if c.isalnum()))
        if self._dates_in_index():
            groups.append(" OR ".join(_date_words(self.since, self.before)))  # type: ignore[arg-type]
        narrowed = "".join(f" AND {{scope}} : ({group})" for group in groups)
        return narrowed + (f" NOT {{scope}} : ({' OR '.join(left_out)})" if left_out else "")

    @cached_property
    def _common_kind(self) -> bool:
        """Whether the kind asked for is the archive's most common: sampled once for a
        search (its page and its counts share the Scope)."""
        return self.kind in ItemKind.values and _most_items_are(self.kind)

    def _dates_in_index(self) -> bool:
        """A closed range of up to three years goes in the index (at most ~100 words);
        an open one is checked by the join."""
        return bool(self.since and self.before and self.before - self.since <= timedelta(days=3 * 366))

    def in_index(self) -> Scope:
        """What is left for the joins once `terms` narrowed the index (SQLite)."""
        if connection.vendor != "sqlite":
            return self
        joined = not self._dates_in_index()
        return Scope(author=self.author, since=self.since if joined else None,
                     before=self.before if joined else None)

    def sql(self) -> tuple[str, str, list[Any]]:
        """(joins, conditions, parameters) over the matching documents `m`: each table
        joined only when a condition needs it."""
        item = f"(m.doc >> {VERSION_BITS})"
        joins: list[str] = []
        where: list[str] = []
        params: list[Any] = []
        if self.stream_ids is not None or self.author or self.since or self.before:
            joins.append(f"JOIN records_itemversion v ON v.item_id = {item} "
                         f"AND v.version_no = (m.doc & {VERSION_MASK})")
        if self.stream_ids is not None:
            where.append(f"v.stream_id IN ({', '.join(['%s'] * len(self.stream_ids)) or 'NULL'})")
            params += self.stream_ids
        if self.kind:
            joins.append(f"JOIN records_archiveditem i ON i.id = {item}")
            where.append("i.kind = %s")
            params.append(self.kind)
        if self.exclude_deleted:
            # Removed items are few, and a partial index lists them (records_item_removed):
            # one small set checked per document instead of a lookup in every item.
            where.append(f"{item} NOT IN (SELECT id FROM records_archiveditem WHERE deleted)")  # noqa: S608
        if self.author or self.since or self.before:
            joins.append("JOIN records_versioncontent c ON c.version_id = v.id")
            for condition, value in (("upper(c.author) = upper(%s)", self.author),
                                     ("c.created_at >= %s", self.since), ("c.created_at < %s", self.before)):
                if value:
                    where.append(condition)
                    params.append(connection.ops.adapt_datetimefield_value(value)
                                  if isinstance(value, datetime) else value)
        return " ".join(joins), " AND ".join(where), params


def _most_items_are(kind: str, sample: int = 1000) -> bool:
    """Whether most of the latest items archived are of this kind (a few hundred
    microseconds: the newest rows of the items table)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind FROM records_archiveditem ORDER BY id DESC LIMIT %s", [sample])
        kinds = [row[0] for row in cursor.fetchall()]
    return kinds.count(kind) * 2 > len(kinds)


def _documents(query: Query, scope: Scope) -> tuple[str, list[Any]]:
    """SQL listing the matching document keys in key order (item, then version), and its
    parameters. The engine reads the index in key order, narrowed by the scope words
    (SQLite), and checks what is left of the scope row by row, so a page or a capped
    count stops as soon as it has enough."""
    where, params = _match(query, scope.terms())
    joins, conditions, scope_params = scope.in_index().sql()
    matched = f"SELECT {_key()} AS doc FROM records_searchindex WHERE {where}"  # noqa: S608
    if connection.vendor == "postgresql":  # see version_ids_sql: one pass over the index
        head = f"WITH m AS MATERIALIZED ({matched}) SELECT m.doc FROM m "  # noqa: S608
    else:
        head = f"SELECT m.doc FROM ({matched} ORDER BY {_key()}) m "  # noqa: S608
    return (head + joins + (f" WHERE {conditions}" if conditions else "") + " ORDER BY m.doc",
            params + scope_params)


# An exact count first counts up to this many items the plain way: a query that matches
# few (a phrase, a rare word) is then counted; one that matches more is counted by versions.
EXACT_PROBE = 10_000


def count_items(query: Query, scope: Scope = Scope(), cap: int | None = None) -> int:
    """How many items have a matching version in the scope; at most cap + 1 (then the
    caller says "more than cap"), which stops reading the index early."""
    if scope.empty_streams or query.contradicted:  # nothing can match: no need to read the index
        return 0
    sql, params = _documents(query, scope)
    if cap is not None or not scope.all_in_index:
        return _distinct_items(sql, params, cap)
    found = _distinct_items(sql, params, EXACT_PROBE)
    return found if found <= EXACT_PROBE else _count_by_versions(query, scope)


def _distinct_items(documents: str, params: list[Any], cap: int | None) -> int:
    limit = f" LIMIT {int(cap) + 1}" if cap is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT DISTINCT doc >> {VERSION_BITS} AS item "  # noqa: S608
                       f"FROM ({documents}) d{limit}) c", params)
        return int(cursor.fetchone()[0])


def _count_by_versions(query: Query, scope: Scope) -> int:
    """The exact count of many matching items, from the index alone (SQLite): every
    matching document, less those of items with several versions, plus those items told
    apart. Telling 200,000 documents apart took 70 of a common word's 90 ms; most items
    have one version, and their documents need only counting (issue 21)."""
    every, every_params = _match(query, scope.terms())
    several, several_params = _match(query, scope.terms(SEVERAL))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT count(*) FROM records_searchindex WHERE {every}) "  # noqa: S608
                       f"- count(*) + count(DISTINCT rowid >> {VERSION_BITS}) "
                       f"FROM records_searchindex WHERE {several}", every_params + several_params)
        return int(cursor.fetchone()[0])


def page_items(query: Query, offset: int, limit: int, scope: Scope = Scope()) -> dict[int, list[int]]:
    """{item id: matching version numbers} for items offset..offset+limit in item order,
    reading the matching documents in key order and stopping at the page's end."""
    matched: dict[int, list[int]] = {}
    if scope.empty_streams or query.contradicted:
        return matched
    sql, params = _documents(query, scope)
    position, last = -1, None  # keys come in item order: count items as they change
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # The engine finds each row as it is fetched: ask first for about the page's
        # items only (a rare match's first 500 keys can be all of them, 4 times the work).
        size = offset + limit + 1
        while rows := cursor.fetchmany(size):
            size = 500
            for (doc,) in rows:
                item = doc >> VERSION_BITS
                if item != last:
                    position, last = position + 1, item
                    if position >= offset + limit:
                        return matched
                if position >= offset:
                    matched.setdefault(item, []).append(doc & VERSION_MASK)
    return matched


def _date_words(since: datetime, before: datetime) -> list[str]:
    """The scope words of the days from `since` up to `before` (local midnights): whole
    months as a month word, the rest day by day."""
    first = timezone.localtime(since).date()
    last = timezone.localtime(before).date() - timedelta(days=1)
    found, day = [], first
    while day <= last:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if day.day == 1 and month_end <= last:
            found.append(f"m{day:%Y%m}")
            day = month_end + timedelta(days=1)
        else:
            found.append(f"d{day:%Y%m%d}")
            day += timedelta(days=1)
    return found or ["d00000000"]  # an empty range: a word no version has
