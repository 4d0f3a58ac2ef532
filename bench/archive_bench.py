"""Archive benchmark: `make bench` (BENCH_N lines, default 1,000,000).

Each phase runs in a process of its own so its peak memory (max RSS) is its own, and
each is reported as a ratio to a baseline measured in the same run on the same data:

- import: archive items/s vs a raw sqlite3 executemany of the same rows into a bare table
- search: p50/p95 of 50 mixed queries (count + first page, as the page shows) vs a LIKE scan
- export: a FOIL production of BENCH_N/10 items (max 100,000) vs writing the same WARC alone

Usage: python bench/archive_bench.py [--n N]   (the phases call it back with --phase)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DB = WORK / "bench.sqlite3"
BARE = WORK / "bare.sqlite3"
CAPTURES = WORK / "captures.jsonl"
COMMON = ["pothole", "street", "water", "park", "school", "bus", "train", "noise", "permit",
          "garbage", "snow", "tree", "light", "fix", "please", "thanks", "city", "today"]


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnoprstuvwy"
    return [("".join(rng.choice(letters) for _ in range(rng.randint(4, 9)))) for _ in range(6000)]


def generate(n: int) -> None:
    rng = random.Random(2026)
    words = vocabulary(rng)
    items = max(n * 9 // 10, 1)
    with CAPTURES.open("w") as out:
        for line_no in range(n):
            index = line_no if line_no < items else rng.randrange(items)
            account = f"@agency{index // 10 % 20}"  # a post and its nine comments
            body = [rng.choice(COMMON) if rng.random() < 0.3 else
                    words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)]
                    for _ in range(rng.randint(5, 25))]
            edited = line_no >= items
            minute = line_no // 100
            out.write(json.dumps({
                "platform": "bluesky", "account": account, "item_id": f"i{index}",
                "kind": "post" if index % 10 == 0 else "comment", "author": f"@user{index % 5000}",
                "text": " ".join(body) + (" (edited)" if edited else ""),
                "created_at": f"2026-10-01T{(index // 60) % 24:02d}:{index % 60:02d}:00Z",
                "captured_at": f"2026-10-{1 + minute // 1440 % 28:02d}T{minute // 60 % 24:02d}:"
                               f"{minute % 60:02d}:{line_no % 60:02d}Z",
                "parent_id": f"i{index - index % 10}" if index % 10 else "",
                "deleted": edited and rng.random() < 0.15,
                "raw": {"id": index, "likes": rng.randrange(100)}}) + "\n")


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


def phase_import_baseline() -> dict[str, float]:
    """The floor: parse the same lines and executemany them into one bare table."""
    db = sqlite3.connect(BARE)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE bare (platform, account, item_id, kind, author, text, created_at, "
               "captured_at, parent_id, deleted, raw)")
    started = time.perf_counter()
    rows = []
    with CAPTURES.open() as handle:
        for line in handle:
            d = json.loads(line)
            rows.append((d["platform"], d["account"], d["item_id"], d["kind"], d["author"],
                         d["text"], d["created_at"], d["captured_at"], d["parent_id"],
                         d["deleted"], json.dumps(d["raw"])))
            if len(rows) >= 2000:
                db.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                db.commit()
                rows = []
    db.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def queries(n: int = 50) -> list[str]:
    rng = random.Random(7)
    words = vocabulary(random.Random(2026))
    out = []
    for i in range(n):
        a, b = rng.choice(COMMON), rng.choice(words[:300])
        out.append([a, b, f"{b[:4]}*", f'"{a} {rng.choice(COMMON)}"', f"{a} OR {b}",
                    f"{a} -{rng.choice(COMMON)}", f"{b} {rng.choice(words[:50])}"][i % 7])
    return out


def phase_search() -> dict[str, float]:
    setup_django()
    from civicsocial.records.search.service import Filters, search_page

    times = []
    for query in queries():
        started = time.perf_counter()
        search_page(query, Filters(), None, 1, 50)
        times.append(time.perf_counter() - started)
    return {"p50": statistics.median(times), "p95": statistics.quantiles(times, n=20)[18],
            "peak_mb": peak_mb()}


def _like(query: str) -> tuple[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    from civicsocial.records.search.query import parse

    q = parse(query)

    def term(t: object) -> str:
        words = " ".join(t.words)  # type: ignore[attr-defined]
        return f"%{words}%"

    clauses, params = [], []
    for clause in q.clauses:
        clauses.append("(" + " OR ".join("text LIKE ?" for _ in clause) + ")")
        params += [term(t) for t in clause]
    for t in q.excluded:
        clauses.append("text NOT LIKE ?")
        params.append(term(t))
    return " AND ".join(clauses), params


def phase_search_baseline() -> dict[str, float]:
    db = sqlite3.connect(BARE)
    times = []
    for query in queries():
        where, params = _like(query)
        started = time.perf_counter()
        db.execute(f"SELECT count(DISTINCT item_id) FROM bare WHERE {where}", params).fetchone()
        db.execute(f"SELECT * FROM bare WHERE {where} LIMIT 50", params).fetchall()
        times.append(time.perf_counter() - started)
    return {"p50": statistics.median(times), "p95": statistics.quantiles(times, n=20)[18],
            "peak_mb": peak_mb()}


def _case_items(limit: int) -> object:
    """The benchmark's case (its first `limit` items), with every day sealed, as a
    city's archive would be, so the production carries a seal proof per version."""
    from datetime import timedelta

    from django.utils import timezone

    from civicsocial.records.foil import open_case
    from civicsocial.records.integrity import seal_days
    from civicsocial.records.models import ArchivedItem, FoilCase, FoilItem

    case = FoilCase.objects.first()
    if case is None:
        from datetime import date

        case = open_case(None, "Benchmark", date(2026, 11, 20))
        ids = ArchivedItem.objects.order_by("pk").values_list("pk", flat=True)[:limit]
        FoilItem.objects.bulk_create([FoilItem(case=case, item_id=i) for i in ids])
        seal_days(before=timezone.now().date() + timedelta(days=1))
    return case


def phase_export(limit: int) -> dict[str, float]:
    setup_django()
    from civicsocial.records.production import export_case

    case = _case_items(limit)
    started = time.perf_counter()
    manifest = export_case(case, WORK / "production.zip")  # type: ignore[arg-type]
    return {"seconds": time.perf_counter() - started, "items": manifest["items"],
            "versions": manifest["versions"], "peak_mb": peak_mb()}


def phase_export_baseline(limit: int) -> dict[str, float]:
    """warcio alone: the same versions, already in memory, written as the same records."""
    setup_django()
    from warcio.warcwriter import WARCWriter

    from civicsocial.records import hashing
    from civicsocial.records.models import FoilItem, ItemVersion

    case = _case_items(limit)
    ids = FoilItem.objects.filter(case=case).values_list("item_id", flat=True)
    payloads = [(v.captured_at.isoformat().replace("+00:00", "Z"), hashing.canonical({
        "text": v.content.text, "author": v.content.author, "raw": v.content.raw,
        "chain_hash": v.chain_hash})) for v in ItemVersion.objects.filter(item_id__in=ids)
        .select_related("content").iterator(chunk_size=5000)]
    started = time.perf_counter()
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for when, payload in payloads:
        writer.write_record(writer.create_warc_record(
            "urn:bench", "resource", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type="application/json", warc_headers_dict={"WARC-Date": when}))
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def run_phase(name: str, *args: str) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--phase", name, *args],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"phase {name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", "1000000")))
    parser.add_argument("--phase")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    if args.phase:
        sys.path.insert(0, str(ROOT))
        phases = {"import": phase_import, "import_baseline": phase_import_baseline,
                  "search": phase_search, "search_baseline": phase_search_baseline,
                  "export": lambda: phase_export(args.limit),
                  "export_baseline": lambda: phase_export_baseline(args.limit)}
        print(json.dumps(phases[args.phase]()))
        return
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    n, limit = args.n, min(100_000, max(args.n // 10, 1))
    print(f"Generating {n:,} capture lines...", file=sys.stderr)
    generate(n)
    rows = []
    for label, ours, base in (("import", "import", "import_baseline"),
                              ("search", "search", "search_baseline"),
                              ("export", "export", "export_baseline")):
        print(f"Running {label}...", file=sys.stderr)
        extra = ["--limit", str(limit)] if label == "export" else []
        rows.append((label, run_phase(ours, *extra), run_phase(base, *extra)))
    imp, search, export = (r[1] for r in rows)
    imp_b, search_b, export_b = (r[2] for r in rows)
    print(f"\nArchive benchmark, BENCH_N={n:,} capture lines (export: {export['items']:,} items,"
          f" {export['versions']:,} versions)\n")
    print("| measure | Civic Social | baseline | ratio | goal |\n|---|---|---|---|---|")
    print(f"| import, lines/s | {n / imp['seconds']:,.0f} | {n / imp_b['seconds']:,.0f} "
          f"(raw executemany) | {imp_b['seconds'] / imp['seconds']:.2f} | >= 0.33 |")
    print(f"| search p50 | {search['p50'] * 1000:.1f} ms | {search_b['p50'] * 1000:.1f} ms (LIKE) | "
          f"{search_b['p50'] / search['p50']:.1f}x faster | >= 100x |")
    print(f"| search p95 | {search['p95'] * 1000:.1f} ms | {search_b['p95'] * 1000:.1f} ms (LIKE) | "
          f"{search_b['p95'] / search['p95']:.1f}x faster | >= 100x |")
    print(f"| export, items/s | {export['items'] / export['seconds']:,.0f} | "
          f"{export['items'] / export_b['seconds']:,.0f} (warcio alone) | "
          f"{export_b['seconds'] / export['seconds']:.2f} | >= 0.5 |")
    for label, ours, base in rows:
        print(f"| peak memory, {label} | {ours['peak_mb']:.0f} MB | {base['peak_mb']:.0f} MB | "
              f"{ours['peak_mb'] / base['peak_mb']:.1f} | |")


if __name__ == "__main__":
    main()
