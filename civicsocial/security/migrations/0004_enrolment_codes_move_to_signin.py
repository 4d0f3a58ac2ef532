# The enrolment codes now belong to the signin app (issue 16); their table is kept as is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0003_enrolment_codes'),
        ('signin', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='EnrolmentCode')],
            database_operations=[],
        ),
    ]
