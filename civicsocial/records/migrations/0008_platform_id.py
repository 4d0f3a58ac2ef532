# Issue 16: an archived item's platform id was `item_id`, the same name as the columns of
# the foreign keys to it (a version's `item_id` is an ArchivedItem's pk). Renamed in place.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0007_case_holds'),
    ]

    operations = [
        migrations.RenameField('archiveditem', 'item_id', 'platform_id'),
        # The database's unique constraint follows the renamed column; only Django's
        # record of it names the new field.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveConstraint('archiveditem', 'unique_item'),
            migrations.AddConstraint('archiveditem', models.UniqueConstraint(
                fields=('stream', 'platform_id'), name='unique_item')),
        ]),
    ]
