from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "civicsocial.platforms"
    label = "platforms"
    verbose_name = "Platforms and capture"
