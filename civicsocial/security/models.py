"""The audit log: who changed what, when and why. Append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(models.Model):
    """One state change by a person (or the system when `actor` is empty).

    The database refuses UPDATE and DELETE on this table too (see migration 0002),
    so not even a raw query can rewrite history.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    target_label = models.CharField(max_length=300)
    agency = models.ForeignKey(
        "registry.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or 'system'} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are never deleted.")


class SecretKind(models.TextChoices):
    APP_PASSWORD = "app_password", "App password"
    PASSWORD = "password", "Password"
    ACCESS_TOKEN = "access_token", "Access token"
    REFRESH_TOKEN = "refresh_token", "Refresh token"
    CLIENT_SECRET = "client_secret", "Client secret"
    API_KEY = "api_key", "API key"
    SIGNING_KEY = "signing_key", "Signing key (PEM)"


class VaultSecret(models.Model):
    """One credential, encrypted (P13, issue 18): the secret sealed with its own data key
    (AES-256-GCM), the data key wrapped by the master key named by `key_id`. Neither the
    secret nor its data key is ever readable from this row alone; pages show only the
    fingerprint, who set it and when, and when it was last used."""

    name = models.CharField(max_length=200, unique=True)  # e.g. "account:12", "open311:api_key"
    label = models.CharField(max_length=300)  # what it is, in words
    kind = models.CharField(max_length=20, choices=SecretKind.choices)
    agency = models.ForeignKey("registry.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    sealed = models.BinaryField()  # nonce + AES-GCM(data key, secret)
    wrapped_key = models.BinaryField()  # nonce + AES-GCM(master key, data key)
    key_id = models.CharField(max_length=16, db_index=True)  # which master key wrapped it
    fingerprint = models.CharField(max_length=16)  # HMAC(data key, secret): this setting of it
    chosen_by_person = models.BooleanField(default=False)  # strength checked when set
    set_at = models.DateTimeField(default=timezone.now)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # an OAuth token's expiry

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.set_at).days
