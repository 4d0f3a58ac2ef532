"""Archive benchmark: `make bench` (BENCH_N lines, default 1,000,000).

Each phase runs in a process of its own so its peak memory (max RSS) is its own, and
each is reported as a ratio to a baseline measured in the same run on the same data:

- import: archive lines/s vs raw sqlite3 executemany writing the same rows the archive
  keeps (same tables, indexes and search index; issue 21)
- search (bench/archive_search.py): first page and exact count over a mix of words and
  filters, as ODS and as an agency, vs the LIKE scan and vs the bare engine
- export (bench/archive_export.py): a signed, time-stamped FOIL production of BENCH_N/10
  items (max 100,000) vs the sum of its parts measured alone; its peak memory vs a
  production a tenth its size

Usage: python bench/archive_bench.py [--n N] [--skip-export | --only-export | --only-search]
(the phases call it back with --phase)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import archive_export
import archive_search

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DB = WORK / "bench.sqlite3"
BARE = WORK / "bare.sqlite3"  # the LIKE scan's table
BARE_SAME = WORK / "bare-same.sqlite3"  # the import floor's copy of our schema
STATEMENTS = WORK / "first-page-statements.json"
CAPTURES = WORK / "captures.jsonl"
COMMON = [
    "pothole",
    "street",
    "water",
    "park",
    "school",
    "bus",
    "train",
    "noise",
    "permit",
    "garbage",
    "snow",
    "tree",
    "light",
    "fix",
    "please",
    "thanks",
    "city",
    "today",
]


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnoprstuvwy"
    return [("".join(rng.choice(letters) for _ in range(rng.randint(4, 9)))) for _ in range(6000)]


def generate(n: int, path: Path = CAPTURES) -> None:
    rng = random.Random(2026)
    words = vocabulary(rng)
    items = max(n * 9 // 10, 1)
    with path.open("w") as out:
        for line_no in range(n):
            index = line_no if line_no < items else rng.randrange(items)
            account = f"@agency{index // 10 % 20}"  # a post and its nine comments
            body = [
                rng.choice(COMMON)
                if rng.random() < 0.3
                else words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]
                for _ in range(rng.randint(5, 25))
            ]
            edited = line_no >= items
            minute = line_no // 100
            out.write(
                json.dumps(
                    {
                        "platform": "bluesky",
                        "account": account,
                        "item_id": f"i{index}",
                        "kind": "post" if index % 10 == 0 else "comment",
                        "author": f"@user{index % 5000}",
                        "text": " ".join(body) + (" (edited)" if edited else ""),
                        "created_at": f"2026-10-{1 + index * 28 // items:02d}T{(index // 60) % 24:02d}:"
                        f"{index % 60:02d}:00Z",
                        "captured_at": f"2026-10-{1 + minute // 1440 % 28:02d}T{minute // 60 % 24:02d}:"
                        f"{minute % 60:02d}:{line_no % 60:02d}Z",
                        "parent_id": f"i{index - index % 10}" if index % 10 else "",
                        "deleted": edited and rng.random() < 0.15,
                        "raw": {"id": index, "likes": rng.randrange(100)},
                    }
                )
                + "\n"
            )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_django(work: Path) -> None:
    """A benchmark's own empty folder `work` (the last run's removed) and Django on a new
    SQLite file in it, migrated: how the capture and inbox benchmarks start."""
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sys.path.insert(0, str(ROOT))
    setup_django(work / "bench.sqlite3", work / "var")


def setup_django(db: Path = DB, var: Path = WORK / "var") -> None:
    """Django in production settings on a benchmark's own SQLite file, migrated."""
    # Production settings: with DEBUG on, Django records every query, which is not what a
    # city's server does. A throwaway key, since nothing here is served.
    import secrets

    os.environ["CIVICSOCIAL_DEBUG"] = "0"
    os.environ.setdefault("CIVICSOCIAL_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("CIVICSOCIAL_ALLOWED_HOSTS", "localhost")
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["CIVICSOCIAL_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicsocial.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def phase_import() -> dict[str, float]:
    setup_django()
    from civicsocial.records.importer import import_file

    started = time.perf_counter()
    job = import_file(CAPTURES, WORK / "rejects.jsonl")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "lines": job.lines_done, "peak_mb": peak_mb()}


ARCHIVE_TABLES = [
    "records_archivestream",
    "records_archiveditem",
    "records_itemversion",
    "records_versioncontent",
    "records_mediablob",
]


def phase_import_baseline() -> dict[str, float]:
    """The floor (issue 21): the rows our import wrote, in the same tables with the same
    indexes, triggers and search index, written by raw sqlite3 executemany into an empty
    copy of the schema. Reading them back is not timed; writing and committing is."""
    source = sqlite3.connect(DB)
    target = sqlite3.connect(BARE_SAME)
    target.execute("PRAGMA journal_mode=WAL")
    for (sql,) in source.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'records_searchindex_%' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
    ):
        target.execute(sql)
    seconds = 0.0
    index = [("records_searchindex", "rowid, body, scope, pairs")]
    for table, columns in [(t, "*") for t in ARCHIVE_TABLES] + index:
        rows = source.execute(f"SELECT {columns} FROM {table} ORDER BY rowid")
        width = len(rows.description)
        insert = (
            f"INSERT INTO {table} {'(rowid, body, scope, pairs)' if table == 'records_searchindex' else ''} "
            f"VALUES ({', '.join('?' * width)})"
        )
        while chunk := rows.fetchmany(2000):
            started = time.perf_counter()
            target.executemany(insert, chunk)
            target.commit()
            seconds += time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb()}


def like_table() -> None:
    """The LIKE scan's table: every capture line as a row, no index (what a search
    without a search index reads)."""
    db = sqlite3.connect(BARE)
    db.execute(
        "CREATE TABLE IF NOT EXISTS bare (platform, account, item_id, kind, author, text, created_at, "
        "captured_at, parent_id, deleted, raw)"
    )
    if db.execute("SELECT count(*) FROM bare").fetchone()[0]:
        return
    rows = []
    with CAPTURES.open() as handle:
        for line in handle:
            d = json.loads(line)
            rows.append(
                (
                    d["platform"],
                    d["account"],
                    d["item_id"],
                    d["kind"],
                    d["author"],
                    d["text"],
                    d["created_at"],
                    d["captured_at"],
                    d["parent_id"],
                    d["deleted"],
                    json.dumps(d["raw"]),
                )
            )
            if len(rows) >= 5000:
                db.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                rows = []
    db.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()


def bench_queries() -> list[str]:
    return archive_search.queries(vocabulary(random.Random(2026)), COMMON)


def _case_items(limit: int) -> object:
    """The benchmark's case (its first `limit` items), with every day sealed, as a
    city's archive would be, so the production carries a seal proof per version."""
    from datetime import timedelta

    from django.utils import timezone

    from civicsocial.records.foil import open_case
    from civicsocial.records.integrity import seal_days
    from civicsocial.records.models import ArchivedItem, FoilCase, FoilItem

    case = FoilCase.objects.filter(requester=f"Benchmark {limit}").first()
    if case is None:
        from datetime import date

        case = open_case(None, f"Benchmark {limit}", date(2026, 11, 20))
        ids = ArchivedItem.objects.order_by("pk").values_list("pk", flat=True)[:limit]
        FoilItem.objects.bulk_create([FoilItem(case=case, item_id=i) for i in ids])
        seal_days(before=timezone.now().date() + timedelta(days=1))
    return case


def phase(name: str, limit: int) -> dict[str, Any]:
    """One phase, in this process (run_phase starts a process per phase)."""
    if name == "import_baseline":
        return phase_import_baseline()
    if name == "search_like":
        like_table()
        return {**archive_search.phase_search_like(BARE, bench_queries()), "peak_mb": peak_mb()}
    if name == "search_bare":
        return {**archive_search.phase_search_bare(DB, STATEMENTS), "peak_mb": peak_mb()}
    setup_django()
    if name == "import":
        return phase_import()
    if name == "search":
        return {**archive_search.phase_search(bench_queries(), STATEMENTS), "peak_mb": peak_mb()}
    case = _case_items(limit)
    if name == "export":
        return {
            **archive_export.phase_export(case, WORK, WORK / f"production-{limit}.zip"),
            "peak_mb": peak_mb(),
        }
    return {
        **archive_export.phase_parts(WORK, WORK / f"production-{limit}.zip"),
        "warc": archive_export.warc_alone(case),
        "peak_mb": peak_mb(),
    }


def run_phase(name: str, *args: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"phase {name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "1000000")))
    parser.add_argument("--phase")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--skip-export", action="store_true", help="import and search only")
    parser.add_argument(
        "--only-export",
        action="store_true",
        help="measure the production again on the last run's archive (var/bench)",
    )
    parser.add_argument(
        "--only-search",
        action="store_true",
        help="measure the searches again on the last run's archive (var/bench)",
    )
    args = parser.parse_args()
    if args.phase:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(phase(args.phase, args.limit)))
        return
    n, limit = args.n, min(100_000, max(args.n // 10, 1))
    again = args.only_export or args.only_search
    if not again:
        shutil.rmtree(WORK, ignore_errors=True)
        WORK.mkdir(parents=True)
        print(f"Generating {n:,} capture lines...", file=sys.stderr)
        generate(n)
    got: dict[str, dict[str, Any]] = {}
    for name, extra in (
        ("import", []),
        ("import_baseline", []),
        ("search", []),
        ("search_bare", []),
        ("search_like", []),
        ("export", ["--limit", str(limit)]),
        ("parts", ["--limit", str(limit)]),
        ("export_small", ["--limit", str(max(limit // 10, 1))]),
    ):
        production = name.startswith(("export", "parts"))
        searching = name.startswith("search")
        if (
            (args.only_export and not production)
            or (args.only_search and not searching)
            or (args.skip_export and production)
        ):
            continue
        print(f"Running {name}...", file=sys.stderr)
        got[name] = run_phase("export" if name == "export_small" else name, *extra)
    report(n, got)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report(n: int, got: dict[str, dict[str, Any]]) -> None:
    if "import" not in got:
        return report_part(got)
    imp, base, ours, like = got["import"], got["import_baseline"], got["search"], got["search_like"]
    produced = "export" in got  # not with --skip-export
    rows = [
        (
            "import, lines/s",
            f"{n / imp['seconds']:,.0f}",
            f"{n / base['seconds']:,.0f} (executemany: same rows, tables, indexes)",
            f"{base['seconds'] / imp['seconds']:.2f}",
            ">= 0.5",
        ),
        *_search_rows(got),
        *(_production_rows(got) if produced else []),
        (
            "peak memory, import",
            f"{imp['peak_mb']:.0f} MB",
            f"{base['peak_mb']:.0f} MB",
            f"{imp['peak_mb'] / base['peak_mb']:.1f}",
            "",
        ),
        (
            "peak memory, search",
            f"{ours['peak_mb']:.0f} MB",
            f"{like['peak_mb']:.0f} MB",
            f"{ours['peak_mb'] / like['peak_mb']:.1f}",
            "",
        ),
    ]
    production = (
        f"{got['export']['items']:,} items, {got['export']['versions']:,} versions, "
        f"{got['parts']['threads']:,} threads, signed and time-stamped"
        if produced
        else "not run (--skip-export)"
    )
    print(
        f"\nArchive benchmark, BENCH_N={n:,} capture lines; search: {ours['cases']} cases; "
        f"production: {production}\n"
    )
    _table(rows)
    _slowest(ours)


def _table(rows: list[tuple[str, ...]]) -> None:
    print("| measure | Civic Social | baseline | ratio | goal |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _slowest(ours: dict[str, Any]) -> None:
    print(
        "\nSlowest first page by kind of search: "
        + "; ".join(f"{label} {_ms(seconds)}" for label, seconds in ours["slowest"].items())
    )


def _search_rows(got: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    ours, bare, like = got["search"], got["search_bare"], got["search_like"]
    first, exact = ours["first"], ours["exact"]
    return [
        (
            "search first page p50",
            _ms(first["p50"]),
            _ms(like["first"]["p50"]) + " (LIKE)",
            f"{like['first']['p50'] / first['p50']:.1f}x faster",
            ">= 100x",
        ),
        (
            "search first page p95",
            _ms(first["p95"]),
            _ms(like["first"]["p95"]) + " (LIKE)",
            f"{like['first']['p95'] / first['p95']:.1f}x faster",
            ">= 100x",
        ),
        (
            "search first page p95",
            _ms(first["p95"]),
            _ms(bare["first"]["p95"]) + " (bare engine)",
            f"{first['p95'] / bare['first']['p95']:.2f}x",
            "<= 2x",
        ),
        (
            "search exact count p95",
            _ms(exact["p95"]),
            _ms(like["exact"]["p95"]) + " (LIKE)",
            f"{like['exact']['p95'] / exact['p95']:.1f}x faster",
            ">= 10x",
        ),
    ]


def _production_rows(got: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    export, parts, small = got["export"], got["parts"], got["export_small"]
    alone = parts["warc"] + parts["drawing"] + parts["signing"] + parts["packaging"]
    each = (
        f"WARC {parts['warc']:.1f} + drawing {parts['drawing']:.1f} + signing {parts['signing']:.1f} "
        f"+ WACZ {parts['packaging']:.1f}, each alone"
    )
    return [
        (
            "production, s",
            f"{export['seconds']:.1f}",
            f"{alone:.1f} ({each})",
            f"{export['seconds'] / alone:.2f}",
            "<= 1.5",
        ),
        (
            "production peak memory",
            f"{export['peak_mb']:.0f} MB",
            f"{small['peak_mb']:.0f} MB (a tenth the items)",
            f"{export['peak_mb'] / small['peak_mb']:.2f}",
            "<= 1.2",
        ),
    ]


def report_part(got: dict[str, dict[str, Any]]) -> None:
    """The rows of what was measured again on the last run's archive (--only-export,
    --only-search)."""
    if "search" in got:
        print(f"\nSearch: {got['search']['cases']} cases\n")
        _table(_search_rows(got))
        _slowest(got["search"])
        return
    export, parts = got["export"], got["parts"]
    print(
        f"\nProduction: {export['items']:,} items, {export['versions']:,} versions, {parts['threads']:,} "
        "threads, signed and time-stamped\n"
    )
    _table(_production_rows(got))


if __name__ == "__main__":
    main()
