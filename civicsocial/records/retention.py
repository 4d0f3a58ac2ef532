"""Retention (P25): nothing is disposed of before its schedule allows, nothing under a
legal hold or an open FOIL case ever is, and each disposal is itself recorded. The
version's hashes stay, so the chain still verifies; only its content goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civicsocial.records.foil import held_item_ids
from civicsocial.records.models import (
    ArchivedItem,
    Disposal,
    ItemVersion,
    LegalHold,
    RetentionSchedule,
    VersionContent,
)
from civicsocial.records.search.backends import doc_id, unindex_versions
from civicsocial.registry.models import Person
from civicsocial.security import audit


@dataclass
class DisposalReport:
    disposed: int = 0
    held: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def due_versions(now: datetime | None = None) -> list[ItemVersion]:
    """Versions whose retention has run out and whose content is still kept."""
    now = now or timezone.now()
    due: list[ItemVersion] = []
    for schedule in RetentionSchedule.objects.all():
        due += list(ItemVersion.objects.filter(
            item__kind=schedule.kind, captured_at__lt=now - timedelta(days=schedule.keep_days),
            disposal__isnull=True).select_related("item"))
    return due


@transaction.atomic
def dispose_expired(actor: Person | None, now: datetime | None = None,
                    dry_run: bool = False) -> DisposalReport:
    """Dispose of every version past retention that is not held."""
    report = DisposalReport()
    held = held_item_ids(recheck=True)
    schedules = {s.kind: str(s) for s in RetentionSchedule.objects.all()}
    disposable = []
    for version in due_versions(now):
        if version.item_id in held:
            report.held += 1
            continue
        disposable.append(version)
        report.by_kind[version.item.kind] = report.by_kind.get(version.item.kind, 0) + 1
    report.disposed = len(disposable)
    if dry_run or not disposable:
        return report
    Disposal.objects.bulk_create([Disposal(version=v, disposed_by=actor, content_hash=v.content_hash,
                                           schedule=schedules[v.item.kind]) for v in disposable])
    ids = [v.pk for v in disposable]
    unindex_versions(doc_id(v.item_id, v.version_no) for v in disposable)
    VersionContent.objects.filter(pk__in=ids).delete()
    for version in disposable:
        audit.record(actor, "archive.disposed", version.item,
                     changes={"version": [version.version_no, None]},
                     reason=f"Retention: {schedules[version.item.kind]}")
    return report


@transaction.atomic
def place_hold(actor: Person | None, item: ArchivedItem, reason: str) -> LegalHold:
    if not reason.strip():
        raise ValueError("A legal hold needs its reason.")
    hold = LegalHold.objects.create(item=item, reason=reason, placed_by=actor)
    audit.record(actor, "archive.hold_placed", item, reason=reason)
    return hold


@transaction.atomic
def release_hold(actor: Person | None, hold: LegalHold, reason: str) -> LegalHold:
    hold.released_at = timezone.now()
    hold.save(update_fields=["released_at"])
    if hold.item is not None:
        audit.record(actor, "archive.hold_released", hold.item, reason=reason)
    return hold
