"""The search index's scope column gains the removed word on every version of an item
removed from its platform (issue 21), so "leave out removed items" is answered inside
the index instead of checking each matching version's item."""

from typing import Any

from django.db import migrations

from civicsocial.records.search.backends import doc_id, mark_removed


def mark(apps: Any, schema_editor: Any) -> None:
    ItemVersion = apps.get_model("records", "ItemVersion")  # noqa: N806
    rows = ItemVersion.objects.filter(item__deleted=True).values_list("item_id", "version_no")
    batch = []
    for item, number in rows.iterator(chunk_size=5000):
        batch.append(doc_id(item, number))
        if len(batch) >= 5000:
            mark_removed(batch, True)
            batch = []
    mark_removed(batch, True)


class Migration(migrations.Migration):
    dependencies = [("records", "0015_removed_items_index")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
