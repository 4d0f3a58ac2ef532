"""Kill the capture process (SIGKILL) at random points, start it again, and prove that
nothing is lost or stored twice and the chain verifies: the archive ends as a capture
that was never interrupted does. Real databases of the engine in use, as in
records/tests/test_import_kill.py, and the local Bluesky network."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civicsocial.passes import sqlite_pass_only
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.records.tests.test_import_kill import rows

SETUP = """
from civicsocial.registry.models import Account, Agency
agency = Agency.objects.create(name="Kill Test", slug="kill", email_domains="kill.nyc.gov")
Account.objects.create(agency=agency, platform="bluesky", handle="{handle}",
                       url="https://bsky.app/profile/{handle}", login_identity="s@kill.nyc.gov")
"""


def _env(url: str, var: Path, handle: str, password: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "CIVICSOCIAL_DEBUG": "1",
           "CIVICSOCIAL_VAR_DIR": str(var), "CIVICSOCIAL_BLUESKY_SERVICE": shared_network().pds,
           secret_variable("bluesky", handle): password}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _cli(env: dict[str, str], *args: str, kill_after: float | None = None) -> bool:
    """Run `civicsocial ARGS`; True if it had to be killed."""
    process = subprocess.Popen([sys.executable, "-m", "civicsocial.cli", *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = process.communicate(timeout=kill_after or 600)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True
    assert kill_after is not None or process.returncode == 0, err.decode()[-2000:]
    return False


def test_it_loses_and_duplicates_nothing_when_the_worker_is_killed(
        tmp_path: Path, migrated_database_urls: tuple[str, str]) -> None:
    handle, password = new_account("killed")
    city = adapter(handle, password)
    residents = [adapter(*new_account("resident")) for _ in range(3)]
    posts = [city.publish(f"Notice {n}", f"k-post-{n}") for n in range(10)]
    for n in range(300):
        residents[n % 3].publish(f"Reply {n}", f"k-{n}", reply_to=posts[n % 10].item_id)
    killed_url, clean_url = migrated_database_urls
    killed, clean = (_env(killed_url, tmp_path / "a", handle, password),
                     _env(clean_url, tmp_path / "b", handle, password))
    for env in (killed, clean):
        _cli(env, "shell", "-c", SETUP.format(handle=handle))
    rng = random.Random(int(time.time()))
    kills = sum(_cli(killed, "capture", "--once", kill_after=rng.uniform(1.0, 4.0))
                for _ in range(5))
    _cli(killed, "capture", "--once")  # finish: resume from wherever the kills left it
    _cli(clean, "capture", "--once")
    assert kills >= 1, "every capture finished before its kill: capture more"
    items = "SELECT i.platform_id, i.kind, i.versions, i.deleted FROM records_archiveditem i ORDER BY 1"
    after_kills, uninterrupted = rows(killed_url, items), rows(clean_url, items)
    assert len(uninterrupted) == 311  # 10 posts, 300 replies, the profile
    assert after_kills == uninterrupted
    assert _cli(killed, "archive", "verify") is False


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
# The PostgreSQL pass kills capture in test_contract_kill.py (the same capture, four platforms).
pytestmark = [pytest.mark.network, pytest.mark.slow, sqlite_pass_only]
