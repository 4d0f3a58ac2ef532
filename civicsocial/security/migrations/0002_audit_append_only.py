from django.db import migrations

from civicsocial.security.appendonly import make_append_only

forward, backward = make_append_only("security_auditevent")


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
