"""The search index gains a scope column (issue 21): each version's stream, its item's
kind and the day and month it was written, so a search's filters narrow the index
itself instead of joining every matching version. Rebuilt from the versions' content;
disposed versions have none and stay out."""

from typing import Any

from django.db import migrations

from civicsocial.records.search.backends import doc_id, index_versions, schema
from civicsocial.records.search.text import index_body, scope_words


def rebuild(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    schema_editor.execute("DROP TABLE IF EXISTS records_searchindex", params=None)
    for statement in schema(connection.vendor):
        schema_editor.execute(statement, params=None)
    VersionContent = apps.get_model("records", "VersionContent")  # noqa: N806
    rows = VersionContent.objects.values_list(
        "version__item_id", "version__version_no", "text", "version__stream_id", "version__item__kind",
        "created_at").order_by("version__item_id", "version__version_no")
    batch = []
    for item, number, text, stream, kind, created in rows.iterator(chunk_size=5000):
        batch.append((doc_id(item, number), index_body(text), scope_words(stream, kind, created)))
        if len(batch) >= 5000:
            index_versions(batch)
            batch = []
    index_versions(batch)


class Migration(migrations.Migration):
    dependencies = [("records", "0011_production_progress_and_cancel")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
