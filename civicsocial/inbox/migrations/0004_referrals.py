# Issue 16: an inbox item's six 311 fields become a Referral of their own. Each item that
# was referred (any of the fields filled in) gets its Referral, with the same values,
# before the fields go.

import django.db.models.deletion
from django.db import migrations, models


FIELDS = {"reply_id": "referral_reply", "request_id": "service_request_id",
          "request_token": "service_request_token", "status": "service_request_status",
          "notes": "service_request_notes", "checked_at": "service_request_checked_at"}


def copy_referrals(apps, schema_editor):
    InboxItem = apps.get_model("inbox", "InboxItem")
    Referral = apps.get_model("inbox", "Referral")
    referred = InboxItem.objects.exclude(referral_reply="", service_request_id="",
                                         service_request_token="", service_request_status="")
    Referral.objects.bulk_create(
        [Referral(entry_id=item.pk, **{new: getattr(item, old) for new, old in FIELDS.items()})
         for item in referred.iterator()], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0003_label_rows'),
    ]

    operations = [
        migrations.CreateModel(
            name='Referral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reply_id', models.CharField(blank=True, help_text="the platform's id of our reply", max_length=300)),
                ('request_id', models.CharField(blank=True, help_text='the Open311 service request', max_length=100)),
                ('request_token', models.CharField(blank=True, help_text='what the endpoint gave before the request had an id', max_length=100)),
                ('status', models.CharField(blank=True, help_text='queued, open or closed', max_length=40)),
                ('notes', models.TextField(blank=True, help_text='the status notes, or why a check failed')),
                ('checked_at', models.DateTimeField(blank=True, null=True)),
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='referral', to='inbox.inboxitem')),
            ],
            options={
                'indexes': [models.Index(fields=['status'], name='inbox_refer_status_ea920e_idx')],
            },
        ),
        migrations.RunPython(copy_referrals, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='inboxitem',
            name='referral_reply',
        ),
        migrations.RemoveField(
            model_name='inboxitem',
            name='service_request_checked_at',
        ),
        migrations.RemoveField(
            model_name='inboxitem',
            name='service_request_id',
        ),
        migrations.RemoveField(
            model_name='inboxitem',
            name='service_request_notes',
        ),
        migrations.RemoveField(
            model_name='inboxitem',
            name='service_request_status',
        ),
        migrations.RemoveField(
            model_name='inboxitem',
            name='service_request_token',
        ),
    ]
