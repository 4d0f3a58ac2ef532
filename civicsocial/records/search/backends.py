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

from django.db import connection

from civicsocial.records.search.query import Query, to_fts5, to_tsquery

VERSION_BITS = 20  # up to a million versions per item
VERSION_MASK = (1 << VERSION_BITS) - 1


def doc_id(item_pk: int, version_no: int) -> int:
    """The index key of one version."""
    return (item_pk << VERSION_BITS) | version_no


SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS records_searchindex USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 0')",
]
POSTGRES_SCHEMA = [
    # No foreign key: versions are never deleted, disposal removes its index rows itself,
    # and a reference would stop PostgreSQL from truncating the versions in test flushes.
    "CREATE TABLE IF NOT EXISTS records_searchindex (doc bigint PRIMARY KEY, body text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS records_searchindex_gin ON records_searchindex "
    "USING GIN (to_tsvector('simple', body))",
]


def schema(vendor: str) -> list[str]:
    return SQLITE_SCHEMA if vendor == "sqlite" else POSTGRES_SCHEMA


def _key() -> str:
    return "rowid" if connection.vendor == "sqlite" else "doc"


def index_versions(rows: Sequence[tuple[int, str]]) -> None:
    """Add (doc id, normalized body) rows to the index."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO records_searchindex({_key()}, body) VALUES (%s, %s)", rows)  # noqa: S608


def unindex_versions(docs: Iterable[int]) -> None:
    """Remove disposed versions (by doc id) from the index."""
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM records_searchindex WHERE {_key()} = %s",  # noqa: S608
                           [(doc,) for doc in docs])


def _match(query: Query) -> tuple[str, list[str]]:
    """WHERE clause (over records_searchindex) for the query, and its parameter."""
    if connection.vendor == "sqlite":
        return "records_searchindex MATCH %s", [to_fts5(query)]
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


def count_items(query: Query) -> int:
    """How many items have a matching version (from the index alone)."""
    where, params = _match(query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(DISTINCT {_key()} >> {VERSION_BITS}) "  # noqa: S608
                       f"FROM records_searchindex WHERE {where}", params)
        return int(cursor.fetchone()[0])


def page_items(query: Query, offset: int, limit: int) -> dict[int, list[int]]:
    """{item id: matching version numbers} for items offset..offset+limit in item order,
    reading the index in key order and stopping at the page's end."""
    where, params = _match(query)
    key = _key()
    matched: dict[int, list[int]] = {}
    position, last = -1, None  # keys come in item order: count items as they change
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM records_searchindex WHERE {where} "  # noqa: S608
                       f"ORDER BY {key}", params)
        while rows := cursor.fetchmany(500):
            for (doc,) in rows:
                item = doc >> VERSION_BITS
                if item != last:
                    position, last = position + 1, item
                    if position >= offset + limit:
                        return matched
                if position >= offset:
                    matched.setdefault(item, []).append(doc & VERSION_MASK)
    return matched
