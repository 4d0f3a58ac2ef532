"""Passkeys and security keys as a second factor (WebAuthn, django-otp-webauthn; issue 18):
registered by a person who has already passed their second factor, used on the verify
page beside the authenticator app's code."""

from __future__ import annotations

from django.http import HttpRequest
from django_otp_webauthn.models import WebAuthnCredential

from civicsocial.registry.models import Person
from civicsocial.security import audit


def relying_party(request: HttpRequest) -> str:
    """The WebAuthn relying party: the host the page was served from, without its port."""
    return request.get_host().rsplit(":", 1)[0]


def keys_of(person: Person) -> list[WebAuthnCredential]:
    """The person's confirmed passkeys and security keys."""
    return list(WebAuthnCredential.objects.filter(user=person, confirmed=True).order_by("-created_at"))


def record_confirmed_key(sender: type, instance: WebAuthnCredential, created: bool, **kwargs: object) -> None:
    """Audit a key when it is first saved confirmed (registration completed)."""
    if created and instance.confirmed:
        audit.record(instance.user, "second_factor.key_added", instance.user,
                     changes={"key": [None, instance.name or f"key {instance.pk}"]})
