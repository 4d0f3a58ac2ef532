"""The archive (P25, P27): every captured item, every version, kept and provable.

- `ArchiveStream`: one platform account (registered or not, P1) and the head of its hash chain.
- `ArchivedItem`: one post, reply, comment, message or profile on a platform; an index row.
- `ItemVersion`: append-only; what an item was at a capture, chained by hash per stream.
- `VersionContent`: the content of a version. Never updated; removed only by a recorded
  `Disposal` past retention (the database enforces both), the hashes stay.
- `MediaBlob`: media stored once by SHA-256. `DailySeal`: Merkle root per stream per day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from civicsocial.duties.models import BackgroundJob


class ItemKind(models.TextChoices):
    POST = "post", "Post"
    REPLY = "reply", "Reply"
    COMMENT = "comment", "Comment"
    MESSAGE = "message", "Direct message"
    PROFILE = "profile", "Profile snapshot"


class Change(models.TextChoices):
    CREATED = "created", "First capture"
    EDITED = "edited", "Edited"
    DELETED = "deleted", "Removed from the platform"
    RESTORED = "restored", "Back on the platform"


GENESIS_HASH = "0" * 64


class ArchiveStream(models.Model):
    """A platform account as the archive sees it; `account` is empty when the account
    is not in the registry (kept, and flagged for P1)."""

    platform = models.CharField(max_length=20)
    handle = models.CharField(max_length=100)
    account = models.ForeignKey("registry.Account", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="streams")
    head_seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "handle"], name="unique_stream")]

    def __str__(self) -> str:
        return f"{self.handle} on {self.platform}"


class ArchivedItem(models.Model):
    # No index of its own on stream: unique (stream, platform_id) serves it (fewer writes).
    stream = models.ForeignKey(ArchiveStream, on_delete=models.PROTECT, related_name="items",
                               db_index=False)
    # The platform's own id of the post or comment (`item_id` in capture lines and exports);
    # named apart from the foreign keys to this model, whose columns are `item_id`.
    platform_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    first_captured_at = models.DateTimeField()
    last_captured_at = models.DateTimeField()
    versions = models.IntegerField(default=0)
    deleted = models.BooleanField(default=False)
    edited = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "platform_id"], name="unique_item")]
        # The few removed items, for searches that leave them out (search/backends.Scope).
        indexes = [models.Index(fields=["id"], condition=models.Q(deleted=True), name="records_item_removed")]

    def __str__(self) -> str:
        return f"{self.kind} {self.platform_id} of {self.stream}"

    def get_absolute_url(self) -> str:
        return reverse("archive-item", args=[self.pk])


class ItemVersion(models.Model):
    """Append-only (database triggers refuse UPDATE and DELETE)."""

    # Indexed by the unique constraints below (item, version_no) and (stream, chain_seq).
    item = models.ForeignKey(ArchivedItem, on_delete=models.PROTECT, related_name="version_set",
                             db_index=False)
    stream = models.ForeignKey(ArchiveStream, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    version_no = models.IntegerField()
    change = models.CharField(max_length=20, choices=Change.choices)
    captured_at = models.DateTimeField(db_index=True)
    content_hash = models.CharField(max_length=64)
    raw_hash = models.CharField(max_length=64)
    chain_seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    # When it entered the archive: seals cover what was archived each day, a contiguous
    # stretch of the chain even when captures arrive late.
    archived_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "version_no"], name="unique_version"),
            models.UniqueConstraint(fields=["stream", "chain_seq"], name="unique_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.version_no} ({self.change})"


class VersionContent(models.Model):
    version = models.OneToOneField(ItemVersion, primary_key=True, on_delete=models.PROTECT,
                                   related_name="content")
    author = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField(null=True, blank=True)
    parent_id = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    language = models.CharField(max_length=20, blank=True)
    media = models.JSONField(default=list)
    raw = models.TextField()  # the platform's payload, exactly as captured (JSON text)

    def __str__(self) -> str:
        return f"content of version {self.pk}"


class MediaBlob(models.Model):
    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    first_seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.sha256} ({self.content_type}, {self.size} bytes)"


class DailySeal(models.Model):
    """Merkle root of the stretch of one stream's chain archived on one UTC day
    (sequences first_seq..last_seq). Append-only."""

    stream = models.ForeignKey(ArchiveStream, on_delete=models.PROTECT, related_name="seals")
    day = models.DateField()
    root = models.CharField(max_length=64)
    count = models.IntegerField()
    first_seq = models.BigIntegerField()
    last_seq = models.BigIntegerField()
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "day"], name="one_seal_a_day")]

    def __str__(self) -> str:
        return f"seal of {self.stream} on {self.day}: {self.root}"


class SealTimestamp(models.Model):
    """An RFC 3161 time-stamp token over a daily seal's statement (issue 21): a third
    party's word that the seal existed at `stamped_at`, so the archive's integrity does not
    rest on our clock alone. Append-only; one per seal."""

    seal = models.OneToOneField(DailySeal, on_delete=models.PROTECT, related_name="timestamp")
    token = models.BinaryField()  # DER TimeStampToken (a CMS ContentInfo)
    stamped_at = models.DateTimeField()  # the authority's genTime
    authority = models.CharField(max_length=500)

    def __str__(self) -> str:
        return f"time-stamp of {self.seal} at {self.stamped_at}"


class Disposal(models.Model):
    """A version's content removed past retention; its hashes stay. Append-only."""

    version = models.OneToOneField(ItemVersion, on_delete=models.PROTECT, related_name="disposal")
    disposed_at = models.DateTimeField(default=timezone.now)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    schedule = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"disposal of version {self.version_id} on {self.disposed_at:%Y-%m-%d}"


class RetentionSchedule(models.Model):
    """How long each kind of record is kept before it may be disposed of."""

    kind = models.CharField(max_length=20, choices=ItemKind.choices, unique=True)
    keep_days = models.PositiveIntegerField()
    authority = models.CharField(max_length=200, help_text="the records schedule item it follows")

    def __str__(self) -> str:
        return f"{self.kind}: {self.keep_days} days ({self.authority})"


class LegalHold(models.Model):
    """Nothing under hold is disposed of. On one item, or on everything of a FOIL case."""

    item = models.ForeignKey(ArchivedItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="holds")
    reason = models.TextField(max_length=5000)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                  related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"hold on {self.item or 'a case'}: {self.reason[:60]}"


class ImportJob(BackgroundJob):
    """A file import: its position (done and total count bytes), so an interrupted import
    resumes where it stopped and the pages show how far it is. Started by `civicsocial
    archive import`, or from the imports page (issue 21), the file uploaded and the
    worker importing it."""

    path = models.CharField(max_length=1000)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    lines_done = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict)
    rejected = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    # Uploaded through the pages: the file is kept under IMPORTS_DIR and the worker
    # imports it (and resumes it after a kill). A command-line import runs where it was
    # started, from a file only that machine may see.
    uploaded = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["file_sha256"], condition=models.Q(status__in=["queued", "running"]),
            name="one_active_import_per_file")]

    def __str__(self) -> str:
        return f"import of {self.path} ({self.status})"


class FoilCase(models.Model):
    """A Freedom of Information Law request (P26, P27) and its statutory clock."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        CLOSED = "closed", "Closed"

    agency = models.ForeignKey("registry.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="foil_cases")
    requester = models.CharField(max_length=200)
    received_on = models.DateField()
    acknowledge_by = models.DateField()
    acknowledged_on = models.DateField(null=True, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="foil_cases")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(max_length=20000, blank=True)
    source_item = models.ForeignKey(ArchivedItem, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="the post that asked (P26)")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number}: {self.requester}"

    def get_absolute_url(self) -> str:
        return reverse("foil-case", args=[self.pk])

    @property
    def number(self) -> str:
        return f"FOIL-{self.received_on.year}-{self.pk:06d}"


class FoilSearch(models.Model):
    """A saved search attached to a case: what it finds is produced and held."""

    case = models.ForeignKey(FoilCase, on_delete=models.PROTECT, related_name="searches")
    query = models.CharField(max_length=1000)
    filters = models.JSONField(default=dict)
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case.number}: {self.query}"


class CaseHold(models.Model):
    """An item a case's saved searches found. Written when the searches change and as new
    versions arrive (`records.holds`), so a page asks an index whether an item is held
    instead of running every open case's searches (issue 12). Never removed while the
    case lives: a hold is not lifted by an edit that stops matching."""

    case = models.ForeignKey(FoilCase, on_delete=models.PROTECT, related_name="found")
    item = models.ForeignKey(ArchivedItem, on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="unique_case_hold")]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.item}"


class FoilItem(models.Model):
    """An item picked by hand for a case."""

    case = models.ForeignKey(FoilCase, on_delete=models.PROTECT, related_name="picked")
    item = models.ForeignKey(ArchivedItem, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="unique_case_item")]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.item}"


class ProductionJob(BackgroundJob):
    """Building a case's production in the background, so the pages show how far it is
    (done and total count items; duties/jobs.py runs it)."""

    case = models.ForeignKey(FoilCase, on_delete=models.PROTECT, related_name="production_jobs")
    manifest_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        # Two people (or two clicks) asking at once get the same job (issue 17).
        constraints = [models.UniqueConstraint(
            fields=["case"], condition=models.Q(status__in=["queued", "running"]),
            name="one_active_production_per_case")]

    def __str__(self) -> str:
        return f"production of {self.case.number} ({self.status})"


class VerificationJob(BackgroundJob):
    """Checking the whole archive (every chain, seal and seal time-stamp), or a case's
    latest production (every file, link, signature and time-stamp), in the worker, from
    the pages (issue 21). `done` and `total` count versions, or the production's files."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", "The whole archive"
        PRODUCTION = "production", "A FOIL production"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey(FoilCase, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="verification_jobs")
    ok = models.BooleanField(null=True)
    # What the check found: problems (each a failure), notes (what could not be checked),
    # and its figures (versions, files, signer, time-stamp), as the command line prints.
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(status__in=["queued", "running"], case__isnull=True),
                name="one_active_archive_verification"),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status__in=["queued", "running"], case__isnull=False),
                name="one_active_production_verification"),
        ]

    def __str__(self) -> str:
        subject = f"the production of {self.case.number}" if self.case_id and self.case else "the archive"
        return f"verification of {subject} ({self.status})"
