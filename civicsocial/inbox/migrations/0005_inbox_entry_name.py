# Issue 16: one name for an inbox entry everywhere (the code called it `entry`, the model
# `InboxItem`, next to the archive's `item`). Only the name and its table change.

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0004_referrals'),
    ]

    operations = [
        migrations.RenameModel('InboxItem', 'InboxEntry'),
        migrations.AlterField(
            model_name='inboxentry',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='inbox_entries', to='registry.account'),
        ),
        migrations.RenameField('removalproposal', 'inbox_item', 'entry'),
        migrations.RenameIndex('inboxentry', new_name='inbox_account_state_newest',
                               old_name='inbox_inbox_account_7d9aad_idx'),
    ]
