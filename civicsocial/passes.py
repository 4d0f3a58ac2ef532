"""Which pass of `make test` runs a long test (the SQLite and PostgreSQL passes run side by
side, so the suite takes as long as the longer one). A test whose behaviour does not depend
on the database, or that another test already covers on the other engine, runs in one pass:

- `postgres_pass_only`: what several workers sharing one database must survive (kills, races);
- `sqlite_pass_only`: what the engine does not change (the live demo, the network's own capture).
"""

from __future__ import annotations

import os

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
postgres_pass_only = pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass runs it")
sqlite_pass_only = pytest.mark.skipif(ON_POSTGRES, reason="the SQLite pass runs it")

# Fixtures through which a test reaches the database of its pass.
DATABASE_FIXTURES = frozenset({
    "db", "transactional_db", "django_db_setup", "live_server", "live_app", "client", "admin_client",
    "django_user_model", "database_urls", "migrated_database_urls", "migrated_template",
})


def uses_database(item: pytest.Item) -> bool:
    """Whether a collected test reaches the database: a Django TestCase or
    TransactionTestCase, the django_db mark, or a fixture that opens the database."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return True
    if item.get_closest_marker("django_db"):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def keep_engine_free_tests_in_one_pass(items: list[pytest.Item]) -> None:
    """A test that never touches the database gives the same answer on either engine: the
    SQLite pass runs it, the PostgreSQL pass skips it (about a minute of the pass), unless
    it was placed in the PostgreSQL pass to balance the two."""
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="no database: the SQLite pass runs it")
    chosen = postgres_pass_only.mark.kwargs["reason"]
    for item in items:
        placed = any(mark.kwargs.get("reason") == chosen for mark in item.iter_markers("skipif"))
        if not placed and not uses_database(item):
            item.add_marker(skip)
