from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "civicsocial.incidents"
    label = "incidents"
    verbose_name = "Incident response (P14)"
