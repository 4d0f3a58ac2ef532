"""The two search engines behind one interface: SQLite FTS5 (embedded) and PostgreSQL
full-text search with a GIN index. Both index the same pre-normalized words
(`text.index_body`), so a query finds the same versions on either.

The index is `records_searchindex`, created by migration 0002 for the engine in use:
an FTS5 table whose rowid is the version id, or a table with a GIN expression index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from civicsocial.records.search.query import Query, to_fts5, to_tsquery

SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS records_searchindex USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 0')",
]
POSTGRES_SCHEMA = [
    # No foreign key: versions are never deleted, disposal removes its index rows itself,
    # and a reference would stop PostgreSQL from truncating the versions in test flushes.
    "CREATE TABLE IF NOT EXISTS records_searchindex ("
    "version_id bigint PRIMARY KEY, body text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS records_searchindex_gin ON records_searchindex "
    "USING GIN (to_tsvector('simple', body))",
]


def schema(vendor: str) -> list[str]:
    return SQLITE_SCHEMA if vendor == "sqlite" else POSTGRES_SCHEMA


def index_versions(rows: Sequence[tuple[int, str]]) -> None:
    """Add (version id, normalized body) rows to the index."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany("INSERT INTO records_searchindex(rowid, body) VALUES (%s, %s)", rows)
        else:
            cursor.executemany(
                "INSERT INTO records_searchindex(version_id, body) VALUES (%s, %s)", rows)


def unindex_versions(version_ids: Iterable[int]) -> None:
    """Remove disposed versions from the index."""
    ids = list(version_ids)
    if not ids:
        return
    column = "rowid" if connection.vendor == "sqlite" else "version_id"
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM records_searchindex WHERE {column} = %s",  # noqa: S608
                           [(i,) for i in ids])


def match_sql(query: Query) -> tuple[str, list[str]]:
    """SQL selecting the ids of the versions that match, and its parameters."""
    if connection.vendor == "sqlite":
        return ("SELECT rowid FROM records_searchindex WHERE records_searchindex MATCH %s",
                [to_fts5(query)])
    return ("SELECT version_id FROM records_searchindex "
            "WHERE to_tsvector('simple', body) @@ to_tsquery('simple', %s)", [to_tsquery(query)])
