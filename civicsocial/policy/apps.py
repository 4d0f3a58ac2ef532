from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "civicsocial.policy"
    label = "policy"
    verbose_name = "Policy and compliance"
