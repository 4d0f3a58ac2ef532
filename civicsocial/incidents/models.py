"""A suspected compromise of an official account (P14, issue 18) and its timeline."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from civicsocial.registry.models import Account, Person


class IncidentStatus(models.TextChoices):
    SUSPECTED = "suspected", "Suspected (detected; ODS to confirm)"
    OPEN = "open", "Open: account frozen"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed (not a compromise)"


class Incident(models.Model):
    """One report. While it is open the account is frozen: nothing is sent to the platform
    in its name (`Account.frozen_at`), and capture goes on keeping what an attacker posts."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    summary = models.TextField(max_length=5000)
    reported_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    # From here on, whatever the account posted or changed is evidence (the timeline).
    known_good_at = models.DateTimeField()
    resolved_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        constraints = [models.UniqueConstraint(  # one live incident an account at a time
            fields=["account"], condition=models.Q(status__in=["suspected", "open"]),
            name="one_live_incident_per_account")]

    def __str__(self) -> str:
        return f"{self.number} {self.account}"

    def get_absolute_url(self) -> str:
        return reverse("incident-detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"INC-{self.reported_at.year}-{self.pk:05d}"

    @property
    def agency_id(self) -> int:
        return self.account.agency_id


class StepKind(models.TextChoices):
    REPORTED = "reported", "Reported"
    DETECTED = "detected", "Detected by capture"
    CONFIRMED = "confirmed", "Confirmed by ODS"
    NOTICE = "notice", "Notice sent"
    NOTICE_FAILED = "notice_failed", "Notice not delivered"
    CREDENTIALS_ROTATED = "credentials_rotated", "Credentials rotated"
    PLATFORM_CONTACTED = "platform_contacted", "Platform support contacted"
    NOTE = "note", "Note"
    RESOLVED = "resolved", "Resolved: freeze lifted"
    DISMISSED = "dismissed", "Dismissed"


class IncidentStep(models.Model):
    """One line of the timeline: who did what, when; a notice names its recipient."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=StepKind.choices)
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=300, blank=True)  # "ODS <ods@...>"
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
