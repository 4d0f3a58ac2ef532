"""Leases: which worker is doing a duty now, for every machine that shares the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Lease(models.Model):
    """One duty held by one worker until `expires_at` (issue 17). A worker killed while
    holding it leaves it to expire; a live one renews it. The database decides who holds
    it (one conditional UPDATE or one INSERT), so it works alike on SQLite and PostgreSQL
    and across machines."""

    name = models.CharField(max_length=200, unique=True, help_text="the duty, e.g. capture:42")
    holder = models.CharField(max_length=200, help_text="host, process and a token of the holder")
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class BackgroundJob(models.Model):
    """Long work the pages start and the worker does (issue 21): a FOIL production, a
    verification, an import. It keeps its progress (done of total, rate, time left) for
    the pages and the API, can be cancelled, and is started again when its worker is
    killed (duties/jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    # When this run began (rate and time left), a cancellation asked for (the worker stops
    # at its next step), and how many runs a killed worker has cost.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.IntegerField(default=0)
    # An import resumed where its last run stopped: the rate counts this run's work only.
    done_at_start = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def rate(self) -> float | None:
        """Units (items, bytes, versions) a second in this run so far (None before the
        first step)."""
        if self.status != self.Status.RUNNING or not self.started_at or self.done <= self.done_at_start:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        return (self.done - self.done_at_start) / elapsed if elapsed > 0 else None

    @property
    def seconds_left(self) -> int | None:
        """At the rate so far, how long the rest will take."""
        rate = self.rate
        return int((self.total - self.done) / rate) if rate and self.total >= self.done else None
