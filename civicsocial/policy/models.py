"""Audits the policy app keeps: the branding audit of each captured profile (P8), and
ODS's decisions on the avatars the logo match was unsure of."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from civicsocial.policy.logo_outcome import LogoOutcome
from civicsocial.records.models import ItemVersion
from civicsocial.registry.models import Account, Person


class BrandingAudit(models.Model):
    """One profile snapshot (an archived version) judged against P8, with the evidence."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="branding_audits")
    snapshot = models.OneToOneField(ItemVersion, on_delete=models.PROTECT, related_name="branding_audit")
    audited_at = models.DateTimeField(default=timezone.now)
    passed = models.BooleanField()
    exempt = models.BooleanField(default=False, help_text="a campaign account approved under P9")
    logo_score = models.FloatField(default=0)
    logo_outcome = models.CharField(max_length=10, choices=LogoOutcome.choices, default=LogoOutcome.NO_MATCH)
    avatar_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    failures = models.JSONField(default=list)

    class Meta:
        ordering = ["-audited_at"]

    def __str__(self) -> str:
        return f"branding of {self.account.handle}: {'passed' if self.passed else 'failed'}"

    @property
    def awaiting_ods(self) -> bool:
        """The logo match was unsure and ODS has not decided on this picture yet."""
        return self.logo_outcome == LogoOutcome.UNSURE


class LogoDecision(models.Model):
    """ODS's decision on one avatar image (by its SHA-256): whether it shows the city's
    logo. Made once, reused for every profile showing the same image."""

    avatar_sha256 = models.CharField(max_length=64, unique=True)
    shows_logo = models.BooleanField()
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="logo_decisions")
    decided_at = models.DateTimeField(default=timezone.now)
    score = models.FloatField(default=0, help_text="the matcher's score when it asked")

    def __str__(self) -> str:
        verdict = "shows" if self.shows_logo else "does not show"
        return f"logo decision on {self.avatar_sha256[:12]}: {verdict} the logo"

