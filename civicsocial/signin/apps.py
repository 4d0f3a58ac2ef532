from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "civicsocial.signin"
    label = "signin"
    verbose_name = "Signing in: passwords, second factor, enrolment codes"
