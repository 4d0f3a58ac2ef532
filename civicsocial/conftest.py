"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from civicsocial.security.appendonly import APPEND_ONLY_TABLES, DISPOSABLE_TABLES, allow_changes_sql


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
        for table in [*APPEND_ONLY_TABLES, *DISPOSABLE_TABLES]:
            for statement in allow_changes_sql(connection.vendor, table):
                cursor.execute(statement)
