"""The archive benchmark's search phases (issue 21), run by archive_bench.py.

The query mix: single common and rare words, prefixes, phrases, exclusions, OR and two
words, each with and without filters (an account, a week of dates) as ODS, and within an
agency's three accounts (with and without kind and state filters). Three measures:

- first page: what the search page does (the page's items and a count up to 10,000);
- exact count: every matching item counted (the link in the page, `--count`);
- each measured warm (every case run once before, the LIKE table read once), as a
  server that has searched before would answer;
- against the LIKE scan of the same words and filters over the bare table, and against
  the bare engine: the very SQL statements the first page ran (captured once), replayed
  through sqlite3 with no Django and no Python around them.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

AGENCY = ["@agency0", "@agency1", "@agency2"]  # an agency's accounts
VARIANTS: list[tuple[str, dict[str, Any], bool]] = [
    ("ODS", {}, False),
    ("ODS, one account", {"account": "@agency7"}, False),
    ("ODS, one week", {"since": "2026-10-08", "until": "2026-10-14"}, False),
    ("agency", {}, True),
    ("agency, comments not removed", {"kind": "comment", "exclude_deleted": True}, True),
]


def cases(queries: list[str]) -> list[tuple[str, dict[str, Any], bool]]:
    """(words, filters, within the agency) for each query and variant."""
    return [(q, filters, agency) for q in queries for _, filters, agency in VARIANTS]


def summary(times: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(times), "p95": statistics.quantiles(times, n=20)[18]}


def _filters(values: dict[str, Any]) -> Any:
    from datetime import date

    from civicsocial.records.search.filters import Filters

    parsed = {k: date.fromisoformat(v) if k in ("since", "until") else v for k, v in values.items()}
    return Filters.from_values(parsed)


def _streams(agency: bool) -> Any:
    from civicsocial.records.models import ArchiveStream

    return ArchiveStream.objects.filter(handle__in=AGENCY) if agency else None


def phase_search(queries: list[str], statements: Path) -> dict[str, Any]:
    """Ours: the first page and the exact count of each case; the first page's SQL is
    kept in `statements` for the bare engine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicsocial.records.search.service import count_matching, search_page

    first, exact, captured = [], [], []
    for words, values, agency in cases(queries):  # warm: the pages each case reads are in memory
        search_page(words, _filters(values), _streams(agency), 1, 50)
    for words, values, agency in cases(queries):
        filters, streams = _filters(values), _streams(agency)
        started = time.perf_counter()
        search_page(words, filters, streams, 1, 50)
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        count_matching(words, filters, streams)
        exact.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as run:
            search_page(words, filters, streams, 1, 50)
        captured.append([q["sql"] for q in run.captured_queries])
    statements.write_text(json.dumps(captured))
    labels = [label for _ in queries for label, _, _ in VARIANTS]
    by_variant = {
        label: max(t for t, lab in zip(first, labels, strict=True) if lab == label)
        for label, _, _ in VARIANTS
    }
    return {"first": summary(first), "exact": summary(exact), "cases": len(first), "slowest": by_variant}


def _replay(connection: sqlite3.Connection, sql: str, per_page: int = 50) -> None:
    """One statement as the search reads it: the matching documents only until the page
    has its items (as backends.page_items stops), anything else whole."""
    cursor = connection.execute(sql)
    if not sql.startswith("SELECT m.doc"):
        cursor.fetchall()
        return
    items: set[int] = set()
    size = per_page + 1
    while len(items) <= per_page and (rows := cursor.fetchmany(size)):
        items.update(doc >> 20 for (doc,) in rows)
        size = 500


def phase_search_bare(db: Path, statements: Path) -> dict[str, Any]:
    """The bare engine: the first page's own statements, straight to SQLite."""
    connection = sqlite3.connect(db)
    cases = json.loads(statements.read_text())
    for case in cases:  # warm, as ours are: the pages each case reads are in memory
        for sql in case:
            _replay(connection, sql)
    times = []
    for case in cases:
        started = time.perf_counter()
        for sql in case:
            _replay(connection, sql)
        times.append(time.perf_counter() - started)
    return {"first": summary(times)}


def _like(query: str, values: dict[str, Any], agency: bool) -> tuple[str, list[Any]]:
    from civicsocial.records.search.query import parse

    q = parse(query)
    clauses, params = [], []
    for clause in q.clauses:
        clauses.append("(" + " OR ".join("text LIKE ?" for _ in clause) + ")")
        params += [f"%{' '.join(t.words)}%" for t in clause]
    for t in q.excluded:
        clauses.append("text NOT LIKE ?")
        params.append(f"%{' '.join(t.words)}%")
    if agency:
        clauses.append(f"account IN ({', '.join('?' * len(AGENCY))})")
        params += AGENCY
    for column, test in (("account", "= ?"), ("kind", "= ?"), ("since", ">= ?"), ("until", "< ?")):
        if column in values:
            name = "created_at" if column in ("since", "until") else column
            value = values[column] if column != "until" else values[column] + "T24"
            clauses.append(f"{name} {test}")
            params.append(value)
    if values.get("exclude_deleted"):
        clauses.append("NOT deleted")
    return " AND ".join(clauses), params


def phase_search_like(db: Path, queries: list[str]) -> dict[str, Any]:
    """The LIKE scan of the same words and filters over the bare table: the first page
    (its count and its rows, as the page needs) and the count alone."""
    connection = sqlite3.connect(db)
    connection.execute("SELECT count(*) FROM bare WHERE text LIKE '%warm%'").fetchone()  # the table in memory
    first, exact = [], []
    for words, values, agency in cases(queries):
        where, params = _like(words, values, agency)
        started = time.perf_counter()
        connection.execute(f"SELECT count(DISTINCT item_id) FROM bare WHERE {where}", params).fetchone()
        counted = time.perf_counter() - started
        connection.execute(f"SELECT * FROM bare WHERE {where} LIMIT 50", params).fetchall()
        first.append(time.perf_counter() - started)
        exact.append(counted)
    return {"first": summary(first), "exact": summary(exact)}


def queries(vocabulary: list[str], common: list[str], n: int = 14) -> list[str]:
    """Two of each form: common word, rare word, prefix, phrase, OR, exclusion, two words."""
    rng = random.Random(7)
    out = []
    for i in range(n):
        a, b = rng.choice(common), rng.choice(vocabulary[:300])
        out.append(
            [
                a,
                b,
                f"{b[:4]}*",
                f'"{a} {rng.choice(common)}"',
                f"{a} OR {b}",
                f"{a} -{rng.choice(common)}",
                f"{b} {rng.choice(vocabulary[:50])}",
            ][i % 7]
        )
    return out
