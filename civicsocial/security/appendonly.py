"""Database-level append-only tables: the database itself refuses UPDATE and DELETE,
so no code path (raw SQL included) can rewrite history. Used by migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

# Every table the database keeps append-only; migrations add to it as apps land.
APPEND_ONLY_TABLES = ["security_auditevent", "records_itemversion", "records_dailyseal",
                      "records_disposal", "records_sealtimestamp"]
# Content that may be removed only once its disposal is recorded (never updated).
DISPOSABLE_TABLES = {"records_versioncontent": ("records_disposal", "version_id")}


def forbid_changes_sql(vendor: str, table: str) -> list[str]:
    """SQL that makes `table` append-only on this database vendor."""
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION civicsocial_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; "
            "END; $$;",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION civicsocial_append_only();",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION civicsocial_append_only();",
        ]
    raise NotImplementedError(f"append-only tables are not implemented for {vendor}")


def disposal_only_sql(vendor: str, table: str) -> list[str]:
    """UPDATE refused; DELETE refused unless the row's disposal is already recorded."""
    disposal, key = DISPOSABLE_TABLES[table]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is never changed'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN NOT EXISTS (SELECT 1 FROM {disposal} d WHERE d.{key} = OLD.{key}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is removed only by a recorded disposal'); END;",
        ]
    return [
        "CREATE OR REPLACE FUNCTION civicsocial_disposal_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM " + disposal + " d WHERE d." + key +
        " = OLD." + key + ") THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION '% is removed only by a recorded disposal', TG_TABLE_NAME; END; $$;",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION civicsocial_disposal_only();",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION civicsocial_append_only();",
    ]


def allow_changes_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;",
                f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"]


def guard_sql(vendor: str, table: str) -> list[str]:
    """The guard each guarded table gets: disposal-only or append-only."""
    return disposal_only_sql(vendor, table) if table in DISPOSABLE_TABLES \
        else forbid_changes_sql(vendor, table)


GUARDED_TABLES = [*APPEND_ONLY_TABLES, *DISPOSABLE_TABLES]


def make_append_only(table: str) -> tuple[Any, Any]:
    """(forward, backward) functions for migrations.RunPython."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for statement in guard_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        for statement in allow_changes_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)

    return forward, backward


@contextmanager
def guards_lifted() -> Iterator[CursorWrapper]:
    """A cursor on this database with every guard lifted, put back afterwards whatever
    happens. For tests only: acting as someone with the server's credentials, or
    emptying a throwaway test database."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for statement in [s for t in GUARDED_TABLES for s in allow_changes_sql(vendor, t)]:
            cursor.execute(statement)
        try:
            yield cursor
        finally:
            for statement in [s for t in GUARDED_TABLES for s in guard_sql(vendor, t)]:
                cursor.execute(statement)
