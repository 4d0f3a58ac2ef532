"""Issue 18 (P13): `civicsocial vault rotate-master` killed (SIGKILL) half way through is
finished by running it again: every secret ends under the new master key, opens with
that key alone, and is the secret that was stored. A real PostgreSQL database, as in
records/tests/test_import_kill.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civicsocial.passes import postgres_pass_only
from civicsocial.records.tests.test_import_kill import rows
from civicsocial.security.vaultkeys import key_id, write_key_file

SECRETS = 1500
STORE = """
from civicsocial.security import vault
for n in range({count}):
    vault.store(vault.Entry(f"account:{{n}}", f"test {{n}}"), f"token-{{n}}-" + "x" * 20, None)
"""
READ = """
from civicsocial.security import vault
import hashlib
print(hashlib.sha256("".join(vault.reveal(f"account:{{n}}") for n in range({count})).encode()).hexdigest())
"""


def _env(url: str, var: Path, key: Path, *previous: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "CIVICSOCIAL_DEBUG": "1", "CIVICSOCIAL_VAR_DIR": str(var),
           "CIVICSOCIAL_VAULT_KEY_FILE": str(key),
           "CIVICSOCIAL_VAULT_PREVIOUS_KEYS": ",".join(str(p) for p in previous)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "civicsocial.cli", *args], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _under(url: str, key: Path) -> int:
    wrapped_by = key_id(key.read_bytes())  # hex digits only
    return rows(url, f"SELECT count(*) FROM security_vaultsecret WHERE key_id = '{wrapped_by}'")[0][0]


def test_it_finishes_a_rotation_that_was_killed_half_way(tmp_path: Path,
                                                         migrated_database_urls: tuple[str, str]) -> None:
    url, _ = migrated_database_urls
    old, new = tmp_path / "old.key", tmp_path / "new.key"
    write_key_file(old)
    write_key_file(new)
    before = _env(url, tmp_path, old)
    _cli(before, "shell", "-c", STORE.format(count=SECRETS))
    stored = _cli(before, "shell", "-c", READ.format(count=SECRETS))
    rotating = _env(url, tmp_path, new, old)
    process = subprocess.Popen([sys.executable, "-m", "civicsocial.cli", "vault", "rotate-master"],
                               env=rotating, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _under(url, new) < SECRETS // 10 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    half_way = _under(url, new)
    assert 0 < half_way < SECRETS, f"killed with {half_way} of {SECRETS} rewrapped: not half way"
    _cli(rotating, "vault", "rotate-master")
    assert _under(url, new) == SECRETS
    assert _cli(_env(url, tmp_path, new), "shell", "-c", READ.format(count=SECRETS)) == stored


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means). A
# city rotates its master key on its PostgreSQL server: the PostgreSQL pass runs it.
pytestmark = [pytest.mark.slow, postgres_pass_only]
