"""The inbox: every incoming item (a comment, reply, mention or direct message captured
on a registered account) with its triage labels and where it stands (P21-P24, P26)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from civicsocial.records.models import ArchivedItem
from civicsocial.registry.models import Account


class InboxState(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    ANSWERED = "answered", "Answered"
    REFERRED = "referred", "Referred to 311"
    HELD = "held", "Held"
    HIDDEN = "hidden", "Hidden"


class InboxItem(models.Model):
    item = models.OneToOneField(ArchivedItem, on_delete=models.PROTECT, related_name="inbox")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="inbox_items")
    state = models.CharField(max_length=20, choices=InboxState.choices, default=InboxState.NEW)
    labels = models.JSONField(default=list)
    reasons = models.JSONField(default=dict, help_text="label -> why (the words, or the model)")
    captured_at = models.DateTimeField(help_text="first captured: the review clock starts here")
    triaged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-captured_at"]
        indexes = [models.Index(fields=["account", "state", "-captured_at"])]

    def __str__(self) -> str:
        return f"{self.item.item_id} ({self.state})"
