from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "civicsocial.security"
    label = "security"
    verbose_name = "Security and audit"
