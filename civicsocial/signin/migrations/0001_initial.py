# The enrolment codes moved here from the security app (issue 16): the table stays where
# security's migration 0003 made it, only Django's record of which app owns it changes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('security', '0003_enrolment_codes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='EnrolmentCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code_hash', models.CharField(max_length=200)),
                        ('issued_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('failures', models.PositiveSmallIntegerField(default=0)),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolment_codes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'security_enrolmentcode',
                        'ordering': ['-issued_at'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
