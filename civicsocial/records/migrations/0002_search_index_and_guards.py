"""The search index for the engine in use, and the database's own guards: versions,
seals and disposals are append-only; content is never updated and is removed only
once its disposal is recorded."""

from typing import Any

from django.db import migrations

from civicsocial.records.search.backends import schema
from civicsocial.security.appendonly import make_append_only

GUARDED = ["records_itemversion", "records_dailyseal", "records_disposal",
           "records_versioncontent"]


def create_index(apps: Any, schema_editor: Any) -> None:
    for statement in schema(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def drop_index(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS records_searchindex", params=None)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial"), ("security", "0002_audit_append_only")]
    operations = [migrations.RunPython(create_index, drop_index)] + [
        migrations.RunPython(*make_append_only(table)) for table in GUARDED]
