"""The archive's import on PostgreSQL against the engine's floor (issue 21): `make bench`
runs it with scripts/with-postgres.sh (BENCH_PG_N lines, default 100,000).

- ours: the import of the benchmark's capture lines into an empty, migrated database
  (records/importer.py, which the command and the imports page run), in a process of its
  own, its start-up not timed;
- the floor: the very rows ours wrote (every archive table and the search index), written
  by a raw COPY ... FROM STDIN (binary) into another empty, migrated database with the
  same indexes, constraints and triggers. Reading them out of the first database is not
  timed; writing and committing is.

Each is run three times, in turn (ours, the floor, ours, ...), each into a fresh copy of
the empty database, and the medians are compared: this machine's speed drifts by a third
within minutes, and one run of ours against three of the floor moved the ratio from 0.26
to 0.35 in three runs back to back.

Goal: ours at least 1/3 of the COPY's lines a second. Prints a table.

Usage: scripts/with-postgres.sh .venv/bin/python bench/archive_pg_import.py [--n N]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from archive_bench import ARCHIVE_TABLES, ROOT, generate

TABLES = [*ARCHIVE_TABLES, "records_searchindex"]
RUNS = 3  # of each, in turn; medians compared (see above)


def _admin(base: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(statement)


def _env(url: str, var: Path) -> dict[str, str]:
    """Production settings (no query log) on the database at `url`."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CIVICSOCIAL_DEBUG": "0",
        "CIVICSOCIAL_VAR_DIR": str(var),
        "CIVICSOCIAL_SECRET_KEY": secrets.token_urlsafe(50),
        "CIVICSOCIAL_ALLOWED_HOSTS": "localhost",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _import_here(captures: Path) -> None:
    """The timed import, in this process (Django set up from the environment)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicsocial.settings"
    import django

    django.setup()
    from civicsocial.records.importer import import_file

    started = time.perf_counter()
    job = import_file(captures, captures.with_suffix(".rejects"))
    print(time.perf_counter() - started, job.status)


def _fresh(base: str, name: str, template: str) -> str:
    """A new database copied from the empty, migrated `template`; its URL."""
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"{base}/{name}"


def _import_seconds(url: str, var: Path, captures: Path) -> float:
    """Our import into the database at `url`, in a process of its own: seconds."""
    seconds_text, status = _run(_env(url, var), __file__, "--import-here", str(captures)).split()[-2:]
    if status != "done":
        sys.exit(f"the import ended {status}")
    return float(seconds_text)


def _dump(source: str, work: Path) -> int:
    """Every row ours wrote, table by table, as COPY's binary files in `work`: how many."""
    import psycopg

    rows = 0
    with psycopg.connect(source) as read:
        for table in TABLES:
            with (
                (work / table).open("wb") as out,
                read.cursor().copy(f"COPY {table} TO STDOUT (FORMAT BINARY)") as copy,
            ):
                for data in copy:
                    out.write(data)
            rows += read.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    return rows


def _copy_seconds(url: str, work: Path) -> float:
    """The floor: the dumped rows written by COPY into the database at `url` and
    committed (the archive's tables refuse TRUNCATE, so it is a fresh copy): seconds."""
    import psycopg

    with psycopg.connect(url) as write:
        started = time.perf_counter()
        for table in TABLES:
            with (
                (work / table).open("rb") as data,
                write.cursor().copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy,
            ):
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
        write.commit()
        return time.perf_counter() - started


def _measure(base: str, template: str, work: Path, captures: Path) -> tuple[list[float], list[float], int]:
    """(our seconds, the floor's seconds, rows), RUNS of each in turn."""
    ours: list[float] = []
    floor: list[float] = []
    rows = 0
    for run in range(RUNS):
        name = f"{template}_ours{run}"
        try:
            print(f"Importing ({run + 1} of {RUNS})...", file=sys.stderr)
            ours.append(_import_seconds(_fresh(base, name, template), work / name, captures))
            if run == 0:
                rows = _dump(f"{base}/{name}", work)
        finally:
            _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        name = f"{template}_floor{run}"
        try:
            print(f"Copying the same rows ({run + 1} of {RUNS})...", file=sys.stderr)
            floor.append(_copy_seconds(_fresh(base, name, template), work))
        finally:
            _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return ours, floor, rows


def _rates(n: int, seconds: list[float]) -> str:
    return ", ".join(f"{n / s:,.0f}" for s in seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_PG_N", "100000")))
    parser.add_argument("--import-here", type=Path, help="(the timed import's own process)")
    args = parser.parse_args()
    if args.import_here:
        _import_here(args.import_here)
        return
    n = args.n
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("Run it on PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/archive_pg_import.py")
    base = server.rsplit("/", 1)[0]
    work = Path(tempfile.mkdtemp(prefix="pg-import-"))
    captures = work / "captures.jsonl"
    print(f"Generating {n:,} capture lines...", file=sys.stderr)
    generate(n, captures)
    template = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        _admin(base, f'CREATE DATABASE "{template}"')
        migrate = ("-m", "civicsocial.cli", "migrate", "--verbosity", "0")
        _run(_env(f"{base}/{template}", work / template), *migrate)
        ours, floor, rows = _measure(base, template, work, captures)
    finally:
        _admin(base, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    seconds, copy_seconds = statistics.median(ours), statistics.median(floor)
    ratio = copy_seconds / seconds
    print(f"\nArchive import on PostgreSQL, {n:,} capture lines ({rows:,} rows in {len(TABLES)} tables)\n")
    print(f"Medians of {RUNS} runs of each, in turn; ours {_rates(n, ours)}, "
          f"the floor {_rates(n, floor)} lines/s\n")
    print("| measure | ours | floor | ratio | goal |\n|---|---|---|---|---|")
    print(
        f"| import, lines/s | {n / seconds:,.0f} | "
        f"{n / copy_seconds:,.0f} (COPY: same rows, tables, indexes) | {ratio:.2f} | >= 0.33 "
        f"{'yes' if ratio >= 1 / 3 else 'no'} |"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
