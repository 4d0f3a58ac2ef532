"""The search index's scope column gains two words of an item's state on each of its
versions (issue 21): `removed` for an item removed from its platform, so "leave out
removed items" is answered inside the index, and `several` for an item with more than
one version, so an exact count tells apart only those items' versions. (On SQLite,
whose searches read them: backends.keeps_item_state.)"""

from typing import Any

from django.db import migrations

from civicsocial.records.search.backends import compact_index, doc_id, keeps_item_state, mark
from civicsocial.records.search.text import REMOVED, SEVERAL


def backfill(apps: Any, schema_editor: Any) -> None:
    if not keeps_item_state():
        return
    ItemVersion = apps.get_model("records", "ItemVersion")  # noqa: N806
    for word, items in ((REMOVED, {"item__deleted": True}), (SEVERAL, {"item__versions__gt": 1})):
        rows = ItemVersion.objects.filter(**items).values_list("item_id", "version_no")
        batch = []
        for item, number in rows.iterator(chunk_size=5000):
            batch.append(doc_id(item, number))
            if len(batch) >= 5000:
                mark(batch, word, True)
                batch = []
        mark(batch, word, True)
    compact_index()  # one piece again after the updates


class Migration(migrations.Migration):
    dependencies = [("records", "0015_removed_items_index")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
