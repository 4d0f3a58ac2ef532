"""SQLite's search index gains a pairs column (issue 21): each two neighbouring words of a
version as one token (text.word_pairs), where a phrase is looked up as its pairs side by
side instead of checking word positions in every version that has all its words. The
table is made again from the old one's own rows (backends.add_word_pairs); PostgreSQL's
index is unchanged (its phrases use tsquery's <->)."""

from typing import Any

from django.db import migrations

from civicsocial.records.search.backends import add_word_pairs


def add_pairs(apps: Any, schema_editor: Any) -> None:
    add_word_pairs()


class Migration(migrations.Migration):
    dependencies = [("records", "0016_search_index_item_state")]
    operations = [migrations.RunPython(add_pairs, migrations.RunPython.noop)]
