"""Background work through Redis when CIVICSOCIAL_REDIS_URL is set: the periodic capture
goes through a real Redis server (Debian's redis-server, started on 127.0.0.1 for this
test; `make test` installs it) and runs from there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from civicsocial.ops.redis_server import RedisUnavailable, start_redis
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
    try:
        process, url = start_redis(tmp_path)
    except RedisUnavailable as error:
        pytest.skip(str(error))
    try:
        yield url
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
