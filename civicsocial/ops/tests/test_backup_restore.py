"""Issue 17: `civicsocial backup` while live capture writes, `civicsocial restore` into an
empty database, and the proof: the same counts and chain heads, every chain verified
against the seals exported with the backup. A changed backup is refused whole. Real
databases of the engine in use (two of them) and the local Bluesky network."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from civicsocial.ops.backup import COUNTED
from civicsocial.ops.demo_city import demo_avatar
from civicsocial.platforms.tests.bluesky import adapter, new_account
from civicsocial.platforms.tests.test_capture_kill import SETUP, _cli, _env
from civicsocial.records.hashing import file_sha256
from civicsocial.records.tests.test_import_kill import rows

SEAL = """
from datetime import timedelta
from django.utils import timezone
from civicsocial.records.integrity import seal_days
print(len(seal_days(timezone.now().date() + timedelta(days=1))))
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "civicsocial.cli", *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _tables(url: str) -> int:
    sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table'" if url.startswith("sqlite") \
        else "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    return int(rows(url, sql)[0][0]) if not url.startswith("sqlite") or \
        Path(url.removeprefix("sqlite:///")).exists() else 0


def test_it_restores_a_backup_taken_during_live_capture_and_proves_nothing_changed(
        tmp_path: Path, migrated_database_urls: tuple[str, str], database_urls: tuple[str, str]) -> None:
    handle, password = new_account("backup")
    city, resident = adapter(handle, password), adapter(*new_account("resident"))
    city.update_profile("Backup Dept", "Official NYC account.", "https://www.nyc.gov",
                        base64.b64decode(demo_avatar(True, 1)))  # the archive keeps it as media
    post = city.publish("Snow emergency tonight", "b-post")
    for n in range(20):
        resident.publish(f"Plow my street {n}", f"b-{n}", reply_to=post.item_id)
    source_url, target_url = migrated_database_urls[0], database_urls[1]  # restored into an empty one
    source, target = (_env(source_url, tmp_path / "a", handle, password),
                      _env(target_url, tmp_path / "b", handle, password))
    _cli(source, "shell", "-c", SETUP.format(handle=handle))
    _cli(source, "capture", "--once")
    assert _run(source, "shell", "-c", SEAL).stdout.strip() != "0"  # today's chain sealed

    live = subprocess.Popen([sys.executable, "-m", "civicsocial.cli", "capture", "--stream"],
                            env=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()

    def residents_reply() -> None:
        n = 0
        while not stop.wait(0.05):
            n += 1
            resident.publish(f"Still no plow {n}", f"live-{n}", reply_to=post.item_id)

    replying = threading.Thread(target=residents_reply, daemon=True)
    replying.start()
    items = "SELECT count(*) FROM records_archiveditem"
    polled = rows(source_url, items)[0][0]
    try:
        deadline = time.monotonic() + 60
        while rows(source_url, items)[0][0] <= polled:  # live capture is writing
            assert time.monotonic() < deadline, "live capture archived nothing"
            time.sleep(0.2)
        made = _run(source, "backup", "--out", str(tmp_path / "backup"))
        assert made.returncode == 0, made.stderr[-2000:]
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        backed_up = manifest["counts"]["archived items"]
        deadline = time.monotonic() + 60  # capture goes on after the snapshot (slowly on a busy machine)
        while rows(source_url, items)[0][0] <= backed_up and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        replying.join(30)
        live.terminate()
        live.wait(30)
    assert made.returncode == 0, made.stderr[-2000:]
    backup = tmp_path / "backup"
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["counts"]["archived items"] < rows(source_url, items)[0][0]  # it went on
    assert manifest["counts"]["media files"] >= 1 and any(n.startswith("media/") for n in manifest["files"])

    changed = tmp_path / "changed"
    shutil.copytree(backup, changed)
    seals = changed / "seals.json"
    seals.write_text(seals.read_text().replace('"root": "', '"root": "0', 1))
    refused = _run(target, "restore", str(changed))
    assert refused.returncode != 0 and "changed since it was made" in refused.stderr
    assert _tables(target_url) == 0  # nothing restored

    restored = _run(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]
    assert "DIFFERENT" not in restored.stdout and "archive verify against the backup's seals: OK" \
        in restored.stdout
    verified = _run(target, "archive", "verify", "--against", str(backup / "seals.json"))
    assert verified.returncode == 0, verified.stderr[-2000:]
    for what, table in COUNTED.items():
        assert rows(target_url, f"SELECT count(*) FROM {table}")[0][0] == manifest["counts"][what], what
    for name, entry in manifest["files"].items():
        if name.startswith("media/"):
            assert file_sha256(tmp_path / "b" / name) == entry["sha256"]
    again = _run(target, "restore", str(backup))
    assert again.returncode != 0 and "not empty" in again.stderr


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network, pytest.mark.slow]
