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
