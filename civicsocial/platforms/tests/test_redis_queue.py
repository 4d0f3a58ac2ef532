"""Background work through Redis when CIVICSOCIAL_REDIS_URL is set: the periodic capture
goes through a real Redis server (Debian's redis-server, started on 127.0.0.1 for this
test; `make test` installs it) and runs from there."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicsocial.security.tests.test_settings_errors import run_cli

SCRIPT = """
from django.core.management import call_command
from huey.contrib.djhuey import HUEY
call_command("migrate", verbosity=0)
from civicsocial.platforms.tasks import capture_due_accounts
HUEY.flush()
capture_due_accounts()
print(type(HUEY).__name__, HUEY.pending_count())
task = HUEY.dequeue()
HUEY.execute(task)
print(task.name, HUEY.pending_count())
"""


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(server):
        pytest.skip("redis-server is not installed (make test installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Redis starts without `make test-clock`'s libfaketime: its jemalloc reads the clock
    # while libfaketime is still loading and the server fails to start. The queue's times
    # (a task's eta) are Huey's, computed on the moved clock in this process.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_it_queues_and_runs_background_work_through_redis(redis_url: str, tmp_path: Path):
    # A production-like process (not the suite's settings, which run tasks inline).
    result = run_cli("shell", "-c", SCRIPT, CIVICSOCIAL_DEBUG="1", CIVICSOCIAL_REDIS_URL=redis_url,
                     CIVICSOCIAL_VAR_DIR=str(tmp_path / "var"), DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-2:]
    assert lines[0] == "RedisHuey 1"  # queued in Redis
    assert lines[1].endswith("capture_due_accounts 0")  # taken from Redis and run
    assert not (tmp_path / "var" / "tasks.sqlite3").exists()


def test_it_rejects_a_redis_url_that_is_not_one():
    result = run_cli("check", CIVICSOCIAL_DEBUG="1", CIVICSOCIAL_REDIS_URL="localhost:6379")
    assert "CIVICSOCIAL_REDIS_URL must be a redis://" in result.stderr
    assert "Traceback" not in result.stderr


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
