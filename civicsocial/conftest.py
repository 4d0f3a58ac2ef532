"""Fixtures shared by every app's tests."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from civicsocial.security.appendonly import GUARDED_TABLES, allow_changes_sql


@pytest.fixture
def live_app(live_server: Any, transactional_db: None) -> Iterator[Any]:
    """The app served on 127.0.0.1 over a real, committed database.

    Django empties every table after such a test, which the append-only triggers
    rightly refuse; so at teardown, and only in this throwaway test database, the
    triggers are lifted. That is why browser tests run in a pytest process of their own
    (`make test` does), never beside tests that rely on the triggers."""
    yield live_server
    with connection.cursor() as cursor:
        # The search index is not a Django model, so Django's flush does not empty it,
        # and on PostgreSQL it cannot truncate the versions it references.
        cursor.execute("DELETE FROM records_searchindex")
        for table in GUARDED_TABLES:
            for statement in allow_changes_sql(connection.vendor, table):
                cursor.execute(statement)


def _postgres_base() -> str:
    """The PostgreSQL server of this pass (its URL without a database), or "" on SQLite."""
    server = os.environ.get("DATABASE_URL", "")
    return server.rsplit("/", 1)[0] if server.startswith("postgres") else ""


@contextmanager
def _postgres_databases(base: str, count: int, template: str = "") -> Iterator[list[str]]:
    """`count` new databases on the server (copies of `template`, if named), dropped after."""
    import psycopg

    names = [f"killtest_{uuid.uuid4().hex[:8]}" for _ in range(count)]
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield names
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of the engine in use (for tests that kill a process and
    compare with a run that was not killed)."""
    base = _postgres_base()
    if not base:
        yield (f"sqlite:///{tmp_path / 'killed.sqlite3'}", f"sqlite:///{tmp_path / 'clean.sqlite3'}")
        return
    with _postgres_databases(base, 2) as names:
        yield (f"{base}/{names[0]}", f"{base}/{names[1]}")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the engine in use, migrated once per test process: copying it is
    much quicker than migrating each new database again (13 s of CPU each)."""
    var = tmp_path_factory.mktemp("template")
    base = _postgres_base()
    with contextlib.ExitStack() as stack:
        if base:
            name = stack.enter_context(_postgres_databases(base, 1))[0]
            url = f"{base}/{name}"
        else:
            name, url = str(var / "template.sqlite3"), f"sqlite:///{var / 'template.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "CIVICSOCIAL_DEBUG": "1", "CIVICSOCIAL_VAR_DIR": str(var)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run([sys.executable, "-m", "civicsocial.cli", "migrate", "--verbosity", "0"],
                              env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        yield name


@pytest.fixture
def migrated_database_urls(tmp_path: Path, migrated_template: str) -> Iterator[tuple[str, str]]:
    """Two databases of the engine in use with every migration applied and nothing else
    (copies of `migrated_template`)."""
    base = _postgres_base()
    if not base:
        paths = [tmp_path / "migrated-a.sqlite3", tmp_path / "migrated-b.sqlite3"]
        for path in paths:
            with closing(sqlite3.connect(migrated_template)) as template, \
                    closing(sqlite3.connect(path)) as copy:
                template.backup(copy)
        yield (f"sqlite:///{paths[0]}", f"sqlite:///{paths[1]}")
        return
    with _postgres_databases(base, 2, template=migrated_template) as names:
        yield (f"{base}/{names[0]}", f"{base}/{names[1]}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that never touch the database run in the SQLite pass only (passes.py)."""
    from civicsocial.passes import keep_engine_free_tests_in_one_pass

    keep_engine_free_tests_in_one_pass(items)
