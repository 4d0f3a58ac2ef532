from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "civicsocial.records"
    label = "records"
    verbose_name = "Archive and FOIL"
