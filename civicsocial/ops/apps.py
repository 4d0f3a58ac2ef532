from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the system and showing it: the web process (`serve`), the worker, the demo
    city and its live residents, and the local servers the demo and tests use (the
    Bluesky network, a GeoReport server). Nothing in the other apps imports this one."""

    name = "civicsocial.ops"
    label = "ops"
    verbose_name = "Operations and demo"
