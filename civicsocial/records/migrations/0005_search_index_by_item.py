"""The search index keyed by item and version number (backends.doc_id) instead of the
version id, so item counts and pages come from the index alone. Rebuilt from the
versions' content; disposed versions have none and stay out."""

from typing import Any

from django.db import migrations

from civicsocial.records.search.backends import doc_id, index_versions, schema
from civicsocial.records.search.text import index_body


def rebuild(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    schema_editor.execute("DROP TABLE IF EXISTS records_searchindex", params=None)
    for statement in schema(connection.vendor):
        schema_editor.execute(statement, params=None)
    with connection.cursor() as read:
        read.execute("SELECT v.item_id, v.version_no, c.text FROM records_itemversion v "
                     "JOIN records_versioncontent c ON c.version_id = v.id")
        while rows := read.fetchmany(5000):
            # No scope words yet: migration 0012 rebuilds the index with them.
            index_versions([(doc_id(item, number), index_body(text), "") for item, number, text in rows])


class Migration(migrations.Migration):
    dependencies = [("records", "0004_fewer_indexes")]
    operations = [migrations.RunPython(rebuild)]
