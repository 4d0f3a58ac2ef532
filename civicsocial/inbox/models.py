"""The inbox: every incoming item (a comment, reply, mention or direct message captured
on a registered account) with its triage labels and where it stands (P21-P24, P26).

- `InboxEntry`: one incoming item, its labels, state, location and 311 referral.
- `AccountReview`: a moderator reviewed an account's inbox (the P21 daily clock).
- `RemovalProposal`: a moderator asks to hide or delete an item on a ground; only counsel
  decides (P22). The archive keeps the original whatever the decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from civicsocial.inbox.triage import GROUND_NAMES
from civicsocial.records.models import ArchivedItem
from civicsocial.registry.models import Account


class InboxState(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    ANSWERED = "answered", "Answered"
    REFERRED = "referred", "Referred to 311"
    HELD = "held", "Held"
    HIDDEN = "hidden", "Hidden"


class InboxEntry(models.Model):
    """One incoming comment, reply, mention or message on a registered account, as the
    inbox keeps it: its labels, where it stands, the place it names. The words themselves
    stay in the archive (`item`)."""

    item = models.OneToOneField(ArchivedItem, on_delete=models.PROTECT, related_name="inbox")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="inbox_entries")
    state = models.CharField(max_length=20, choices=InboxState.choices, default=InboxState.NEW)
    labels = models.JSONField(default=list)
    reasons = models.JSONField(default=dict, help_text="label -> why (the words, or the model)")
    captured_at = models.DateTimeField(help_text="first captured: the review clock starts here")
    triaged_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="first reviewed")
    location = models.CharField(max_length=300, blank=True, help_text="a place named in the text")

    class Meta:
        ordering = ["-captured_at", "-pk"]
        # Pages read newest first: through one of these, in order, stopping after a page.
        indexes = [models.Index(fields=["account", "state", "-captured_at"],
                                name="inbox_account_state_newest"),
                   models.Index(fields=["-captured_at", "-id"], name="inbox_newest_first"),
                   models.Index(fields=["state", "-captured_at", "-id"], name="inbox_state_newest"),
                   models.Index(fields=["account", "-captured_at", "-id"],
                                name="inbox_account_newest")]

    def __str__(self) -> str:
        return f"{self.item.platform_id} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("inbox-entry", args=[self.pk])


class Referral(models.Model):
    """A resident sent to 311 (P23): our reply on the platform, and the Open311 service
    request filed for it, followed until it closes. At most one per inbox entry."""

    entry = models.OneToOneField(InboxEntry, on_delete=models.PROTECT, related_name="referral")
    reply_id = models.CharField(max_length=300, blank=True, help_text="the platform's id of our reply")
    request_id = models.CharField(max_length=100, blank=True, help_text="the Open311 service request")
    request_token = models.CharField(max_length=100, blank=True,
                                     help_text="what the endpoint gave before the request had an id")
    status = models.CharField(max_length=40, blank=True, help_text="queued, open or closed")
    notes = models.TextField(blank=True, help_text="the status notes, or why a check failed")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"311 referral of {self.entry}"

    def get_absolute_url(self) -> str:
        return self.entry.get_absolute_url()

    @property
    def request_label(self) -> str:
        """The request's id, or its token while the endpoint has not given an id yet."""
        return self.request_id or self.request_token


class InboxLabel(models.Model):
    """One label of an inbox entry, as a row: what lets the inbox filter and count a label
    through an index instead of reading every item's labels."""

    entry = models.ForeignKey(InboxEntry, on_delete=models.CASCADE, related_name="label_rows")
    label = models.CharField(max_length=30)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    captured_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "label"], name="one_row_per_label")]
        indexes = [models.Index(fields=["label", "account", "-captured_at"])]

    def __str__(self) -> str:
        return f"{self.label} on {self.entry_id}"


class AccountReview(models.Model):
    """A moderator looked at an account's inbox (P21: at least once every 24 hours)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now, db_index=True)
    items_seen = models.IntegerField(default=0)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.account} reviewed {self.reviewed_at:%Y-%m-%d %H:%M}"


class OverdueAlert(models.Model):
    """An overdue alert was sent for an account, so each lapse alerts once."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(help_text="when the review fell due")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "due_at"],
                                               name="one_alert_per_lapse")]

    def __str__(self) -> str:
        return f"overdue alert for {self.account} (due {self.due_at:%Y-%m-%d %H:%M})"


# P22: the only grounds on which an outside comment may be hidden or deleted, as triage
# names them (inbox/triage: one list for the labels, the choices and the evaluation).
RemovalGround = models.TextChoices(  # type: ignore[call-overload]  # Enum's functional form
    "RemovalGround", [(ground.upper(), (ground, name)) for ground, name in GROUND_NAMES.items()])


class RemovalProposal(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", "Hide"
        DELETE = "delete", "Delete"

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for counsel"
        APPROVED = "approved", "Approved by counsel"
        REJECTED = "rejected", "Rejected by counsel"

    entry = models.ForeignKey(InboxEntry, on_delete=models.PROTECT, related_name="proposals")
    action = models.CharField(max_length=10, choices=Action.choices)
    ground = models.CharField(max_length=20, choices=RemovalGround.choices)
    explanation = models.TextField(max_length=5000)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=5000, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    platform_error = models.TextField(blank=True)
    # Counsel may show a hidden comment again (a mistake, an appeal): when, who, and why.
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    restore_reason = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.entry.item.platform_id} ({self.ground})"
