"""Writing many rows at once, the way each engine takes them fastest (issue 21): SQLite's
executemany (one prepared statement, run in C for each row) and PostgreSQL's COPY (psycopg
sends executemany's rows as one statement each, bound on the client: most of the
import's time on PostgreSQL went there)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

IN_LIST = 500  # values per IN (...) on SQLite, well under its parameter limit


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


def reserve_ids(cursor: Any, table: str, n: int) -> Iterable[int]:
    """`n` primary keys for rows about to be inserted into `table` (a caller's constant),
    so the caller writes them with their keys instead of looking the rows up afterwards
    (issue 21: the look-up was a sixth of an import's statements' time on PostgreSQL).
    PostgreSQL: from the table's sequence (safe beside other writers). SQLite: after the
    highest key the table ever gave (AUTOINCREMENT's own rule), which only this
    transaction can move: it began IMMEDIATE, holding the database's write lock."""
    if n == 0:
        return ()
    if connection.vendor == "postgresql":
        # The sequence looked up once, not for each row: a plain subquery is flattened
        # into the select list and looked up row by row (2,000 keys: 6.2 -> 1.4 ms).
        cursor.execute("WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
                       "SELECT nextval(s.seq) FROM s, generate_series(1, %s)", [table, n])
        return [pk for (pk,) in cursor.fetchall()]
    cursor.execute(f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                   f"coalesce((SELECT max(id) FROM {table}), 0))", [table])
    (last,) = cursor.fetchone()
    return range(last + 1, last + 1 + n)


def refresh_statistics(tables: Sequence[str]) -> None:
    """PostgreSQL: ANALYZE these tables (the callers' constants, each with the columns it
    is looked up by, "t (a, b)"), as its manual advises after a bulk load ("Populating a
    Database"). Without it, the planner of an archive that grew from nothing in one
    import still believed it empty and found a batch's items by reading their whole
    stream (2 ms a statement at 50,000 items, growing with the archive). Only those
    columns: the tables' sizes are counted either way, and every column's statistics
    took 220 against 60 ms at 100,000 items (autovacuum analyzes the rest after a large
    change). SQLite's planner needs no statistics for these look-ups."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def any_of(column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """`column` equal to one of `values`, as (SQL condition, its parameters), as many as
    one statement takes: on PostgreSQL all of them, one array parameter (psycopg parses a
    statement of more than 50 placeholders anew each time: 1 ms for 500, issue 21); on
    SQLite IN lists of IN_LIST. `column` is the caller's constant, never input."""
    if connection.vendor == "postgresql":
        yield f"{column} = ANY(%s)", [list(values)]
        return
    for start in range(0, len(values), IN_LIST):
        chunk = list(values[start:start + IN_LIST])
        yield f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


@contextmanager
def collector_set_aside() -> Iterator[None]:
    """Keep Python's cycle collector off the objects that exist before a bulk load (the
    million or so of Django and the libraries) while it runs: each pass of its oldest
    generation walks every one of them, and a 100,000-line import made 20 such passes
    (issue 21: median of five runs back to back, 7.79 -> 6.71 s). `gc.freeze` moves them out of its
    sight; the load's own cycles are still collected. Put back afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
