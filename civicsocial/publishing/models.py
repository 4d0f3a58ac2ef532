"""Publishing (issue 19): what the city says, from a draft to the archived post.

- `Draft`: text, link, media with alt text, the accounts it goes to, when. Every edit
  makes a new `revision`; approvals bind one revision's content hash (P5).
- `ApprovalStep`: an account's chain, one to three steps, each a role or named people.
- `Approval`: one decision on one step of one revision. The database allows one per step
  (two approvers at once give one approval) and one per person (nobody approves two steps).
- `Target`: the draft on one account: how it is sent (the vendor, P12, or our adapter),
  the vendor's message id, the platform's post id once sent, and the archived item.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone

from civicsocial.registry.models import Account, Agency, Person, Role


class DraftKind(models.TextChoices):
    ORIGINAL = "original", "Original post"
    SHARE = "share", "Share of another post"


class DraftStatus(models.TextChoices):
    WRITING = "writing", "Being written"
    IN_REVIEW = "in_review", "Waiting for approval"
    APPROVED = "approved", "Approved, waiting to be sent"
    SENT = "sent", "Sent"
    REJECTED = "rejected", "Sent back"
    WITHDRAWN = "withdrawn", "Withdrawn"
    FAILED = "failed", "Failed to send"


class Draft(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="drafts")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="drafts")
    # Unique across databases and restores (ids are not: a restored backup reuses them), so
    # the platform's idempotency key never names another draft's post.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    accounts: models.ManyToManyField[Account, Target] = models.ManyToManyField(
        Account, through="Target", related_name="drafts")
    text = models.TextField(max_length=70000)
    link = models.URLField(max_length=500, blank=True)
    kind = models.CharField(max_length=20, choices=DraftKind.choices, default=DraftKind.ORIGINAL)
    # A reply or a share names the platform's id of the post it answers or shares.
    reply_to = models.CharField(max_length=300, blank=True)
    share_of = models.CharField(max_length=300, blank=True)
    # In UTC; None: as soon as the last approval is given ("send now").
    send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=DraftStatus.choices, default=DraftStatus.WRITING,
                              db_index=True)
    revision = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["agency", "status", "send_at"], name="draft_calendar"),
                   models.Index(fields=["status", "submitted_at"], name="draft_queue")]

    def __str__(self) -> str:
        first = self.text.strip().splitlines()[0] if self.text.strip() else "(no text)"
        return f"Draft #{self.pk}: {first[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("draft-detail", args=[self.pk])


class DraftMedia(models.Model):
    """An image attached to a draft, stored by content (records.media) with its alt text."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    filename = models.CharField(max_length=200, blank=True)
    alt_text = models.TextField(max_length=2000)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["draft", "position"], name="unique_media_position")]

    def __str__(self) -> str:
        return f"{self.filename or self.sha256[:12]} on draft {self.draft_id}"


class ApprovalStep(models.Model):
    """One step of an account's approval chain (P5): whoever holds `role` in the account's
    agency, or one of `people`. An account with no steps has one: an approver."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="approval_steps")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    people = models.ManyToManyField(Person, blank=True, related_name="+")

    class Meta:
        ordering = ["account", "position"]
        constraints = [
            models.UniqueConstraint(fields=["account", "position"], name="unique_step_position"),
            models.CheckConstraint(condition=models.Q(position__gte=1, position__lte=3),
                                   name="one_to_three_steps"),
        ]

    def __str__(self) -> str:
        return f"step {self.position} of {self.account}"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Sent back"


class Approval(models.Model):
    """A decision on one step of one revision, bound to the content it saw."""

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="approvals")
    revision = models.PositiveIntegerField()
    step = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    content_hash = models.CharField(max_length=64)
    reason = models.TextField(max_length=2000, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["revision", "step"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "revision", "step"], name="one_decision_per_step"),
            models.UniqueConstraint(fields=["draft", "revision", "approver"], name="one_step_per_approver"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} step {self.step} of draft {self.draft_id} by {self.approver}"


class TargetState(models.TextChoices):
    WAITING = "waiting", "Waiting for approval"
    QUEUED = "queued", "Approved, to be scheduled"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNSCHEDULED = "unscheduled", "Unscheduled"


class Route(models.TextChoices):
    VENDOR = "vendor", "The city's vendor (Hootsuite, P12)"
    DIRECT = "direct", "Our adapter (send now, or a platform the vendor does not serve)"


class Target(models.Model):
    """The draft on one account, from approval to the archived post."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="targets")
    state = models.CharField(max_length=20, choices=TargetState.choices, default=TargetState.WAITING)
    route = models.CharField(max_length=10, choices=Route.choices, blank=True)
    vendor_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    platform_id = models.CharField(max_length=300, blank=True, db_index=True)
    url = models.CharField(max_length=500, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A worker holds a target while it sends it; another may take it over after this.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(max_length=2000, blank=True)
    archived_item = models.ForeignKey("records.ArchivedItem", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="drafts_sent")

    class Meta:
        ordering = ["draft", "account"]
        constraints = [models.UniqueConstraint(fields=["draft", "account"], name="one_target_per_account")]

    def __str__(self) -> str:
        return f"draft {self.draft_id} on {self.account}"

    @property
    def idempotency_key(self) -> str:
        """The key every send of this target carries: a retry never posts twice."""
        return f"civicsocial-{self.draft.uid}-{self.account_id}"


class OutsidePost(models.Model):
    """An official post the archive captured that no approved draft produced ("posted
    outside Civic Social": a phone app, a stolen login). P5 and P14: the agency admin and
    ODS are told, and ODS confirms or dismisses the suspected incident opened for it."""

    item = models.OneToOneField("records.ArchivedItem", on_delete=models.PROTECT, related_name="outside_post")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="outside_posts")
    found_at = models.DateTimeField(default=timezone.now)
    incident = models.ForeignKey("incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"post {self.item.platform_id} on {self.account}, outside Civic Social"
