"""Kill the import process (SIGKILL) at random points, restart it, and prove that no
item is lost or duplicated and the chain verifies: the result equals an import that
was never interrupted. Runs against real databases of the engine in use (a SQLite
file, or fresh PostgreSQL databases when DATABASE_URL names a server)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civicsocial.records.tests.helpers import line

VERSIONS_SQL = ("SELECT i.platform_id, v.version_no, v.change, v.content_hash, v.chain_seq "
                "FROM records_itemversion v JOIN records_archiveditem i ON i.id = v.item_id "
                "ORDER BY v.chain_seq")


def write_captures(path: Path, count: int = 20000) -> None:
    rng = random.Random(42)
    with path.open("w") as handle:
        for n in range(count):
            item = f"c{rng.randrange(count // 3)}"
            entry = line(item, minutes=n, text=f"comment {item} edit {rng.randrange(3)}",
                         deleted=rng.random() < 0.03)
            handle.write(json.dumps(entry) + "\n")
            if n % 997 == 0:
                handle.write("{broken line\n")


def run_import(url: str, var: Path, path: Path, kill_after: float | None) -> int | None:
    """Run the import command; with `kill_after`, SIGKILL it that many seconds after its
    job's position next moves (a batch committed: the kill lands in the batch after it,
    whatever the engine's batch size). None when it was killed, else its exit code."""
    env = {**os.environ, "DATABASE_URL": url, "CIVICSOCIAL_DEBUG": "1",
           "CIVICSOCIAL_VAR_DIR": str(var)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    start = lines_done(url)
    process = subprocess.Popen([sys.executable, "-m", "civicsocial.cli", "archive", "import",
                                str(path)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()[-2000:]
        return 0
    deadline = time.monotonic() + 300
    while process.poll() is None and lines_done(url) <= start and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        process.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None
    return process.returncode


def lines_done(url: str) -> int:
    """How far the import's job has committed (0 before it has a job)."""
    try:
        found = rows(url, "SELECT max(lines_done) FROM records_importjob")
    except sqlite3.OperationalError:  # the import holds the write lock at this moment
        return -1
    return int(found[0][0] or 0)


def verify(url: str, var: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "CIVICSOCIAL_DEBUG": "1",
           "CIVICSOCIAL_VAR_DIR": str(var)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "civicsocial.cli", "archive", "verify"],
                          env=env, capture_output=True, text=True, timeout=600)


def rows(url: str, sql: str = VERSIONS_SQL) -> list[tuple]:
    """The rows a query gives on a database named by URL (outside Django)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [tuple(r) for r in db.execute(sql)]
    import psycopg
    with psycopg.connect(url) as db:
        return [tuple(r) for r in db.execute(sql)]


def test_it_loses_and_duplicates_nothing_when_killed(tmp_path: Path,
                                                     migrated_database_urls: tuple[str, str]) -> None:
    killed_url, clean_url = migrated_database_urls
    captures = tmp_path / "captures.jsonl"
    write_captures(captures)
    rng = random.Random(int(time.time()))
    kills = 0
    for _ in range(8):
        outcome = run_import(killed_url, tmp_path / "a", captures, rng.uniform(0.0, 1.0))
        if outcome is None:
            kills += 1
        else:
            break
    run_import(killed_url, tmp_path / "a", captures, None)  # finish (or confirm finished)
    run_import(clean_url, tmp_path / "b", captures, None)
    assert kills >= 1, "the import finished before any kill: make the file larger"
    assert lines_done(clean_url) == lines_done(killed_url) > 0
    killed, clean = rows(killed_url), rows(clean_url)
    assert len(clean) > 1000
    assert killed == clean
    result = verify(killed_url, tmp_path / "a")
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.slow]
