"""Backup and restore of the whole state (issue 17), with proof that nothing changed.

`backup(out)` writes a consistent snapshot: the database through its own tool (pg_dump
from an exported snapshot on PostgreSQL, the online backup API on SQLite), the daily
seals exported apart, the archive's media and the FOIL productions, and a manifest with
the SHA-256 of every file and the counts and chain heads of the database as dumped.

`restore(source)` checks every file against the manifest first (a changed or missing
file: nothing is restored), restores into an empty database only, puts the media and
productions back, and then proves the result: the same counts and chain heads as the
manifest, and `verify` of every chain against the seals exported with it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from civicsocial.records.hashing import file_sha256
from civicsocial.records.integrity import VerifyReport, export_seals, verify

FORMAT = "civicsocial-backup/1"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# What the manifest counts, table by table: what a city would miss first.
COUNTED = {"archived items": "records_archiveditem", "versions": "records_itemversion",
           "daily seals": "records_dailyseal", "seal time-stamps": "records_sealtimestamp",
           "media files": "records_mediablob",
           "inbox entries": "inbox_inboxentry", "audit events": "security_auditevent",
           "FOIL cases": "records_foilcase", "legal holds": "records_legalhold",
           "accounts": "registry_account", "people": "registry_person"}
HEADS = "SELECT platform, handle, head_seq, head_hash FROM records_archivestream ORDER BY platform, handle"
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, nothing was changed."""


@dataclass
class RestoreReport:
    """What a restore found, compared with what the backup's manifest promised."""

    rows: list[tuple[str, Any, Any]] = field(default_factory=list)  # (what, manifest, restored)
    verified: VerifyReport | None = None

    @property
    def ok(self) -> bool:
        return all(a == b for _, a, b in self.rows) and self.verified is not None and self.verified.ok


def state_of(cursor: Any) -> dict[str, Any]:
    """The counts and chain heads read through `cursor` (a DB-API cursor)."""
    counts = {}
    for name, table in COUNTED.items():
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names from COUNTED
        counts[name] = cursor.fetchone()[0]
    cursor.execute(HEADS)
    return {"counts": counts, "heads": [list(row) for row in cursor.fetchall()]}


# -- backup -------------------------------------------------------------------------------

def backup(out: Path, say: Progress = lambda _: None) -> dict[str, Any]:
    """Write the snapshot into `out` (a new or empty directory); returns the manifest."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: a backup goes into a new directory.")
    out.mkdir(parents=True, exist_ok=True)
    # The seals first: every seal exported is then in the dump (verify --against holds).
    (out / "seals.json").write_text(json.dumps(export_seals(), indent=1))
    say("seals exported")
    dump = out / DUMPS.get(connection.vendor, "")
    if connection.vendor == "postgresql":
        state = _dump_postgresql(dump)
    elif connection.vendor == "sqlite":
        state = _dump_sqlite(dump)
    else:
        raise BackupError(f"Backups of {connection.vendor} are not built.")
    say(f"database dumped ({dump.stat().st_size:,} bytes)")
    _copy_tree(Path(settings.MEDIA_STORE), out / "media")
    _copy_tree(Path(settings.PRODUCTIONS_DIR), out / "productions")
    say("media and productions copied")
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(),
                "database": connection.vendor, "dump": dump.name, **state,
                "files": {str(p.relative_to(out)): {"sha256": file_sha256(p), "bytes": p.stat().st_size}
                          for p in sorted(out.rglob("*")) if p.is_file()}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def _dump_postgresql(dump: Path) -> dict[str, Any]:
    """pg_dump of the very snapshot the counts are read in (pg_export_snapshot), so the
    manifest describes the dump exactly while capture goes on writing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = state_of(cursor)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", f"--file={dump}"])
    return state


def _dump_sqlite(dump: Path) -> dict[str, Any]:
    """SQLite's online backup into the file, then the counts read from that copy."""
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
        return state_of(target.cursor())
    finally:
        target.close()


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a directory's finished files into `target` (made or added to), both ways."""
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.partial", "*.tmp"),
                        dirs_exist_ok=True)


def _run(command: list[str]) -> None:
    """A PostgreSQL client tool against this database (the password in its environment,
    never on the command line)."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or ""),
           "PGUSER": str(db.get("USER") or ""), "PGPASSWORD": str(db.get("PASSWORD") or ""),
           "PGDATABASE": str(db["NAME"])}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


# -- restore ------------------------------------------------------------------------------

def restore(source: Path, say: Progress = lambda _: None) -> RestoreReport:
    """Check, restore into this empty database, and prove the result (see the module)."""
    manifest = _checked_manifest(source)
    say(f"{len(manifest['files'])} files match the manifest")
    if manifest["database"] != connection.vendor:
        raise BackupError(f"This backup is of {manifest['database']}; this database is "
                          f"{connection.vendor}.")
    if connection.introspection.table_names():
        raise BackupError("This database is not empty: restore into a new, empty one.")
    dump = source / manifest["dump"]
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={settings.DATABASES['default']['NAME']}", str(dump)])
    else:
        _restore_sqlite(dump)
    say("database restored")
    _copy_tree(source / "media", Path(settings.MEDIA_STORE))
    _copy_tree(source / "productions", Path(settings.PRODUCTIONS_DIR))
    say("media and productions restored")
    return prove(manifest, json.loads((source / "seals.json").read_text()))


def _checked_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"No readable manifest in {source}: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Civic Social backup ({manifest.get('format')!r}).")
    wrong = [name for name, entry in manifest["files"].items()
             if name != "manifest.json" and (not (source / name).is_file()
                                             or file_sha256(source / name) != entry["sha256"])]
    extra = [str(p.relative_to(source)) for p in source.rglob("*") if p.is_file()
             and str(p.relative_to(source)) not in manifest["files"] and p.name != "manifest.json"]
    if wrong or extra:
        raise BackupError("The backup was changed since it was made; nothing was restored. "
                          f"Changed or missing: {wrong[:5]}; not in the manifest: {extra[:5]}")
    return dict(manifest)


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def prove(manifest: dict[str, Any], seals: dict[str, Any]) -> RestoreReport:
    """Compare this database with the manifest, and verify every chain against the seals."""
    with connection.cursor() as cursor:
        state = state_of(cursor)
    report = RestoreReport()
    for name, expected in manifest["counts"].items():
        report.rows.append((name, expected, state["counts"].get(name)))
    report.rows.append(("chain heads", len(manifest["heads"]),
                        len(manifest["heads"]) if state["heads"] == manifest["heads"] else "differ"))
    report.verified = verify(seals)
    return report
