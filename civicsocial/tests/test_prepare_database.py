"""Issue 17: every command brings the schema up to date first. Two processes starting at
once on an empty PostgreSQL database (two workers, a web process) both succeed: one
migrates, in a single transaction (a process killed half way leaves nothing half done),
while the other waits and then finds nothing left to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from civicsocial.records.tests.test_import_kill import rows


def test_it_migrates_once_when_two_processes_start_together(tmp_path: Path,
                                                            database_urls: tuple[str, str]) -> None:
    url, _ = database_urls
    if not url.startswith("postgres"):
        pytest.skip("SQLite takes one writer at a time; the race is PostgreSQL's")
    env = {**os.environ, "DATABASE_URL": url, "CIVICSOCIAL_DEBUG": "1", "CIVICSOCIAL_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    starts = [subprocess.Popen([sys.executable, "-m", "civicsocial.cli", "accounts", "--format", "csv"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    outcomes = [(p.wait(600), p.stderr.read() if p.stderr else "") for p in starts]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    twice = "SELECT app, name FROM django_migrations GROUP BY app, name HAVING count(*) > 1"
    assert rows(url, twice) == []


pytestmark = [pytest.mark.slow]
