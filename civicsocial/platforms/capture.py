"""Capture: what the platforms hold, into the archive (P25, P27).

`capture_account` is one polling run for one account: read what changed since the
account's cursor, snapshot its profile, notice removals, archive it all, and move the
cursor, in one transaction (a run killed half way changes nothing; the archive ignores
what it already holds, so a run repeated after a crash stores nothing twice).

Several workers may be running (issue 17): a run first takes the account's lease, so two
never poll one account together, and whatever goes wrong with one account is recorded on
it and never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from civicsocial.duties.leases import lease
from civicsocial.platforms.adapters.base import Capability, PlatformAdapter, PlatformError
from civicsocial.platforms.adapters.registry import adapter_for, captured_platforms
from civicsocial.platforms.models import CaptureState
from civicsocial.records.announce import archive_and_announce
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.capture import Capture, CaptureError, parse_capture
from civicsocial.records.models import ArchivedItem, ItemKind
from civicsocial.registry.models import Account, AccountStatus

log = logging.getLogger(__name__)
# Longer than any one run should take; a worker killed mid-run holds the account this long.
CAPTURE_LEASE = timedelta(minutes=15)
BUSY = "another worker is capturing this account now"


@dataclass
class CaptureReport:
    account: str
    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)  # platform payloads we could not read
    notes: list[str] = field(default_factory=list)  # the adapter's word on the run (a cap reached)
    error: str = ""
    lag_seconds: float | None = None
    busy: bool = False  # skipped: another worker held the account's lease


def removal_line(platform: str, handle: str, item_id: str, kind: str, why: dict[str, Any],
                 at: datetime | None = None) -> dict[str, Any]:
    """A capture line saying the platform no longer has an archived item (P27: the archive
    keeps it and records the removal), noticed `at` (default now); `why` is the raw payload."""
    now = (at or timezone.now()).isoformat()
    return {"platform": platform, "account": handle, "item_id": item_id, "kind": kind,
            "author": "", "text": "", "created_at": now, "captured_at": now, "deleted": True,
            "raw": why}


def _removals(account: Account, listed: set[str], scopes: list[str],
              now: datetime) -> list[dict[str, Any]]:
    """Deletion captures for archived items in a completely listed scope that the
    platform no longer lists. Only items archived before the listing began (`now`) can be
    missing from it: what a live stream archived meanwhile is newer than the listing, not
    gone (the soak test caught a reply marked removed that way)."""
    if not scopes:
        return []
    gone = []
    in_scope = Q()
    for scope in scopes:
        in_scope |= Q(platform_id__startswith=scope)
    items = ArchivedItem.objects.filter(in_scope, stream__account=account, deleted=False,
                                        first_captured_at__lt=now,
                                        kind__in=[ItemKind.POST, ItemKind.REPLY, ItemKind.COMMENT])
    for item in items.only("platform_id", "kind"):
        # SQLite's LIKE ignores case: check the prefix exactly before calling it gone
        if item.platform_id not in listed and any(item.platform_id.startswith(s) for s in scopes):
            gone.append(removal_line(account.platform, account.handle, item.platform_id, item.kind,
                                     {"removed": "no longer listed by the platform"}, now))
    return gone


def parse_lines(lines: list[dict[str, Any]], handle: str = "") -> tuple[list[Capture], list[str]]:
    """Adapter lines as captures (filed under `handle` when given), and one message for
    each platform payload we could not read (kept out, never archived half-read)."""
    captures, rejected = [], []
    for line in lines:
        try:
            captures.append(parse_capture({**line, "account": handle} if handle else line))
        except CaptureError as error:
            rejected.append(f"{line.get('item_id', '?')}: {error}")
    return captures, rejected


def _lag(captures: list[Capture], since: datetime | None) -> float | None:
    """Seconds from posting to archiving, for items posted since the last run."""
    now = timezone.now()
    lags = [(now - datetime.fromisoformat(c.created_at)).total_seconds() for c in captures
            if c.kind != ItemKind.PROFILE and not c.deleted
            and (since is None or datetime.fromisoformat(c.created_at) > since)]
    return max(lags) if lags else None


def capture_account(account: Account, adapter: PlatformAdapter | None = None) -> CaptureReport:
    """One capture run for one account, unless another worker is running one (then the
    report says `busy`); every error is recorded on its state, never raised."""
    with lease(f"capture:{account.pk}", CAPTURE_LEASE) as held:
        if not held:
            return CaptureReport(account=account.handle, ok=True, busy=True, error=BUSY)
        try:
            return _capture(account, adapter)
        except Exception as error:  # a fault of ours or a payload no one foresaw
            log.exception("capture of %s failed", account.handle)
            return _failed(account, timezone.now(), f"unexpected error: {error!r}")


def _failed(account: Account, at: datetime, error: str) -> CaptureReport:
    CaptureState.objects.update_or_create(account=account, defaults={
        "last_attempt_at": at, "last_error": error[:2000], "last_error_at": at})
    return CaptureReport(account=account.handle, ok=False, error=error)


def _capture(account: Account, adapter: PlatformAdapter | None) -> CaptureReport:
    state, _ = CaptureState.objects.get_or_create(account=account)
    report = CaptureReport(account=account.handle, ok=False)
    started = timezone.now()
    try:
        adapter = adapter or adapter_for(account)
        result = adapter.read_since(state.cursor)
        lines = list(result.captures)
        if Capability.PROFILE in adapter.capabilities:
            lines.append(adapter.read_profile())
        lines += _removals(account, {line["item_id"] for line in result.captures},
                           result.complete_scopes, started)
    except PlatformError as error:
        log.warning("capture of %s failed: %s", account.handle, error)
        return _failed(account, started, str(error))
    captures, report.rejected = parse_lines(lines, account.handle)
    report.notes = list(result.notes)

    def save_state(archived: ArchiveResult) -> None:  # with the captures, or not at all
        report.counts = dict(archived.counts)
        report.lag_seconds = _lag(captures, state.last_success_at)
        versions = sum(n for change, n in archived.counts.items() if change != "unchanged")
        CaptureState.objects.filter(pk=state.pk).update(
            cursor=result.cursor, last_attempt_at=started, last_success_at=timezone.now(),
            last_error="; ".join([*result.notes, *report.rejected])[:2000],
            last_lag_seconds=report.lag_seconds,
            versions_archived=F("versions_archived") + versions,
            credentials_expire_at=result.credentials_expire_at or state.credentials_expire_at,
            platform_user_id=result.platform_user_id or state.platform_user_id)

    archive_and_announce(captures, alongside=save_state)  # then triage, the branding audit
    report.ok = True
    return report


def capturable_accounts(handle: str = "", platform: str = "") -> list[Account]:
    """Active registered accounts on platforms we can capture from."""
    accounts = Account.objects.filter(status=AccountStatus.ACTIVE,
                                      platform__in=[platform] if platform else captured_platforms())
    if handle:
        accounts = accounts.filter(handle__iexact=handle)
    return list(accounts.select_related("agency"))


def capture_due(now: datetime | None = None) -> list[CaptureReport]:
    """Run the capture of every account whose interval has passed (the periodic duty)."""
    now = now or timezone.now()
    reports = []
    accounts = capturable_accounts()
    states = {s.account_id: s for s in CaptureState.objects.filter(account__in=accounts)}
    for account in accounts:
        state = states.get(account.pk)
        if state is None or state.is_due(now):
            reports.append(capture_account(account))
    return reports
