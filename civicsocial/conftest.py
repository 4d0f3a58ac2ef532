"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


@pytest.fixture
def database_urls(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of the engine in use (for tests that kill a process and
    compare with a run that was not killed)."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield (f"sqlite:///{tmp_path / 'killed.sqlite3'}", f"sqlite:///{tmp_path / 'clean.sqlite3'}")
        return
    import psycopg
    base = server.rsplit("/", 1)[0]
    names = [f"killtest_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    yield (f"{base}/{names[0]}", f"{base}/{names[1]}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
