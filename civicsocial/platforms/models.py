"""Where capture stands for each account (cursor, last success, lag, last error) and
for each platform stream (the firehose sequence to resume from)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from civicsocial.registry.models import Account

STALE_AFTER = timedelta(hours=1)  # no successful capture in an hour: flagged
CREDENTIALS_WARNING = timedelta(days=14)  # a page token expiring sooner is renewed now


class CaptureState(models.Model):
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="capture_state")
    cursor = models.TextField(blank=True, help_text="the adapter's position, opaque to us")
    interval_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="empty: the city's default (CIVICSOCIAL_CAPTURE_INTERVAL)")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_lag_seconds = models.FloatField(null=True, blank=True,
                                         help_text="posted to archived, newest items of the last run")
    versions_archived = models.BigIntegerField(default=0)
    credentials_expire_at = models.DateTimeField(
        null=True, blank=True, help_text="when the platform says the account's token stops working")
    platform_user_id = models.CharField(max_length=100, blank=True, db_index=True,
                                        help_text="the account's id on the platform (a Page's id), "
                                                  "for matching webhook deliveries")

    def __str__(self) -> str:
        return f"capture of {self.account.handle}"

    def is_stale(self, now: datetime) -> bool:
        """No successful capture within the last hour (shown flagged on the account)."""
        return self.last_success_at is None or now - self.last_success_at > STALE_AFTER

    @property
    def stale(self) -> bool:
        return self.is_stale(timezone.now())

    @property
    def interval(self) -> int:
        """Seconds between polling runs: this account's own, or the city's default."""
        return self.interval_seconds or settings.CAPTURE_INTERVAL_SECONDS

    def credentials_expire_soon(self, now: datetime) -> bool:
        """The token stops working within CREDENTIALS_WARNING (the account page warns, P13)."""
        expires = self.credentials_expire_at
        return expires is not None and expires - now < CREDENTIALS_WARNING

    @property
    def credentials_expiring(self) -> bool:
        return self.credentials_expire_soon(timezone.now())

    def is_due(self, now: datetime) -> bool:
        return self.last_attempt_at is None or \
            now - self.last_attempt_at >= timedelta(seconds=self.interval)


class StreamCursor(models.Model):
    """The last firehose event archived from one service, so a restart resumes there."""

    service = models.CharField(max_length=300, unique=True)
    seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.service} at {self.seq}"


class WebhookDelivery(models.Model):
    """A platform's notification, kept as received (raw body) once its signature checked out;
    `sha256` of the body refuses the same delivery twice (a replay)."""

    platform = models.CharField(max_length=20)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="webhook_deliveries")
    sha256 = models.CharField(max_length=64, unique=True)
    body = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.platform} delivery for {self.account.handle} at {self.received_at:%Y-%m-%d %H:%M}"
