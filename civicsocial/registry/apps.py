from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "civicsocial.registry"
    label = "registry"
    verbose_name = "Account registry"
