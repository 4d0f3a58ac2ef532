"""What signing in keeps besides Django's users and django-otp's devices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EnrolmentCode(models.Model):
    """A one-time code an ODS admin (or the command line) gives a privileged person so
    that their first second factor is set up by them and not by whoever learned their
    password first (P13, issue 12). Only its hash is kept."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="enrolment_codes")
    code_hash = models.CharField(max_length=200)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "security_enrolmentcode"  # moved from the security app (issue 16), rows kept
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"enrolment code for {self.person} issued {self.issued_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A token a person made for their scripts (issue 18): scoped to some of their agencies
    and actions, with an expiry; shown once, stored as a SHA-256 digest (it is 256 random
    bits, so a slow hash would add nothing), revocable, its last use recorded."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)  # shown in lists and logs
    digest = models.CharField(max_length=64)
    agencies = models.ManyToManyField("registry.Agency", blank=True, related_name="+")
    citywide = models.BooleanField(default=False)  # an ODS admin's token over every agency
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...) of {self.person}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
