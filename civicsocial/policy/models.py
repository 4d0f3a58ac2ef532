"""Audits the policy app keeps: the branding audit of each captured profile (P8)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from civicsocial.records.models import ItemVersion
from civicsocial.registry.models import Account


class BrandingAudit(models.Model):
    """One profile snapshot (an archived version) judged against P8, with the evidence."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="branding_audits")
    snapshot = models.OneToOneField(ItemVersion, on_delete=models.PROTECT, related_name="branding_audit")
    audited_at = models.DateTimeField(default=timezone.now)
    passed = models.BooleanField()
    exempt = models.BooleanField(default=False, help_text="a campaign account approved under P9")
    logo_score = models.IntegerField(default=0)
    failures = models.JSONField(default=list)

    class Meta:
        ordering = ["-audited_at"]

    def __str__(self) -> str:
        return f"branding of {self.account.handle}: {'passed' if self.passed else 'failed'}"
