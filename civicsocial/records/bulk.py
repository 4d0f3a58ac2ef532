"""Writing many rows at once, the way each engine takes them fastest (issue 21): SQLite's
executemany (one prepared statement, run in C for each row) and PostgreSQL's COPY (psycopg
sends executemany's rows as one statement each, bound on the client: most of the
import's time on PostgreSQL went there)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def insert_rows(cursor: Any, into: str, row: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` into `into`, a table and its columns ("t (a, b)"); `row` is one row's
    placeholders for SQLite, e.g. "(%s, %s)". `into` and `row` are the callers' constants,
    never input: the values go as parameters, or as COPY's data."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        cursor.executemany(f"INSERT INTO {into} VALUES {row}", rows)  # noqa: S608 - constants
        return
    with cursor.cursor.copy(f"COPY {into} FROM STDIN") as copy:  # Django's wrapper, then psycopg's
        for values in rows:
            copy.write_row(values)
