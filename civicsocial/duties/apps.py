from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "civicsocial.duties"
    label = "duties"
    verbose_name = "Duties: who is doing what, across workers"
