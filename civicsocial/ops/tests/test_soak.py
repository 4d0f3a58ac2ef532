"""Issue 17: the short soak in `make test` (half a minute, two workers, one killed every
10 seconds) on PostgreSQL and Redis with the local Bluesky network; `make soak` runs the
long one. The soak checks itself and exits 0 only when every check passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_it_keeps_one_truth_through_killed_workers(
        tmp_path: Path, migrated_database_urls: tuple[str, str]) -> None:
    if not migrated_database_urls[0].startswith("postgres"):
        pytest.skip("the soak runs on PostgreSQL: once, in the PostgreSQL pass")
    env = {**os.environ, "DATABASE_URL": migrated_database_urls[0], "SOAK_MINUTES": "0.5",
           "SOAK_WORKERS": "2", "SOAK_KILL_EVERY": "10", "SOAK_DIR": str(tmp_path / "soak")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "civicsocial.ops.soak"], env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "| every reply archived once, with its versions | pass |" in done.stdout


pytestmark = [pytest.mark.network, pytest.mark.slow]
