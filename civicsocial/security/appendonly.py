"""Database-level append-only tables: the database itself refuses UPDATE and DELETE,
so no code path (raw SQL included) can rewrite history. Used by migrations."""

from __future__ import annotations

from typing import Any

# Every table the database keeps append-only; migrations add to it as apps land.
APPEND_ONLY_TABLES = ["security_auditevent"]


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


def allow_changes_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;",
                f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"]


def make_append_only(table: str) -> tuple[Any, Any]:
    """(forward, backward) functions for migrations.RunPython."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for statement in forbid_changes_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        for statement in allow_changes_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)

    return forward, backward
