from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "civicsocial.signin"
    label = "signin"
    verbose_name = "Signing in: passwords, second factor, enrolment codes"

    def ready(self) -> None:
        """A passkey confirmed by its owner goes in the audit log (django-otp-webauthn's
        own views save it)."""
        from django.db.models.signals import post_save
        from django_otp_webauthn.models import WebAuthnCredential

        from civicsocial.signin.passkeys import record_confirmed_key

        post_save.connect(record_confirmed_key, sender=WebAuthnCredential,
                          dispatch_uid="signin.record_confirmed_key")
