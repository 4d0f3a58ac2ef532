"""Kill the capture process (SIGKILL) at random points while it reads Facebook, Instagram,
X and YouTube from their contract servers, start it again, and compare with a capture that
was never interrupted: nothing lost, nothing stored twice, the chain verifies (on PostgreSQL)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from civicsocial.passes import postgres_pass_only
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.tests.test_capture_kill import _cli
from civicsocial.platforms.tests.worlds import WORLDS
from civicsocial.records.tests.test_import_kill import rows

SETUP = """
from civicsocial.registry.models import Account, Agency
agency = Agency.objects.create(name="Kill Test", slug="kill", email_domains="kill.nyc.gov")
for platform, handle in {accounts!r}:
    Account.objects.create(agency=agency, platform=platform, handle=handle,
                           url=f"https://{{platform}}.example/{{handle}}", login_identity="s@kill.nyc.gov")
"""


def test_it_loses_and_duplicates_nothing_when_killed_on_every_new_platform(
    tmp_path: Path, migrated_database_urls: tuple[str, str]
) -> None:
    worlds = [build() for build in WORLDS.values()]
    for world in worlds:
        world.handle = f"@kill{world.platform}"
    secrets = {secret_variable(w.platform, w.handle): w.secret for w in worlds}
    services = {f"CIVICSOCIAL_{w.platform.upper()}_SERVICE": w.service for w in worlds}
    killed_url, clean_url = migrated_database_urls
    envs = []
    for url, var in ((killed_url, tmp_path / "a"), (clean_url, tmp_path / "b")):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CIVICSOCIAL_DEBUG": "1",
            "CIVICSOCIAL_VAR_DIR": str(var),
            **secrets,
            **services,
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        _cli(env, "shell", "-c", SETUP.format(accounts=[(w.platform, w.handle) for w in worlds]))
        envs.append(env)
    killed, clean = envs
    rng = random.Random(int(time.time()))
    kills = sum(_cli(killed, "capture", "--once", kill_after=rng.uniform(1.5, 4.0)) for _ in range(4))
    _cli(killed, "capture", "--once")  # finish: resume from wherever the kills left it
    _cli(clean, "capture", "--once")
    assert kills >= 1, "every capture finished before its kill: capture more"
    items = "SELECT i.platform_id, i.kind, i.versions, i.deleted FROM records_archiveditem i ORDER BY 1"
    after_kills, uninterrupted = rows(killed_url, items), rows(clean_url, items)
    expected = set().union(*(w.expected for w in worlds))
    assert {row[0] for row in uninterrupted if row[1] != "profile"} == expected
    assert after_kills == uninterrupted
    assert _cli(killed, "archive", "verify") is False


# A minute each: the PostgreSQL pass runs it (the database several workers share); the
# Bluesky kill test (test_capture_kill.py) covers the SQLite file.
pytestmark = [pytest.mark.slow, postgres_pass_only]
