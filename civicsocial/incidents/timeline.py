"""An incident's timeline (P14, issue 18): its own steps (reported, each notice and its
delivery, notes, platform support contacted, resolved), the account's credential
replaced in the vault, and every post, reply and profile change captured on the account
since its last known-good moment, each linked to the archive."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from civicsocial.incidents.models import Incident
from civicsocial.records.models import ItemKind, ItemVersion
from civicsocial.security import vault
from civicsocial.security.models import AuditEvent

# What the account itself says or shows: evidence of what an intruder did with it.
OWN_KINDS = (ItemKind.POST, ItemKind.REPLY, ItemKind.PROFILE)
CAPTURED_LIMIT = 1000  # a timeline page, and the report, list at most this many captures


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    detail: str = ""
    who: str = ""
    link: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


def _steps(incident: Incident) -> list[Entry]:
    return [Entry(s.at, s.get_kind_display() + (f" to {s.recipient}" if s.recipient else ""), s.detail,
                  str(s.actor or ""))
            for s in incident.steps.select_related("actor")]


def _rotations(incident: Incident) -> list[Entry]:
    entry = vault.describe(incident.account.secret_name)
    if entry is None:
        return []
    events = AuditEvent.objects.filter(target_type="security.vaultsecret", target_id=str(entry.pk),
                                       action="vault.secret_set", at__gte=incident.reported_at)
    return [Entry(e.at, "Credentials rotated in the vault",
                  f"new fingerprint {e.changes.get('fingerprint', [None, ''])[1]}",
                  str(e.actor or "command line"))
            for e in events.select_related("actor")]


def captured(incident: Incident) -> list[ItemVersion]:
    """What capture kept of the account's own posts and profile since the known-good moment."""
    return list(ItemVersion.objects.filter(
        item__stream__account=incident.account, item__kind__in=OWN_KINDS,
        captured_at__gte=incident.known_good_at).select_related("item", "content")
        .order_by("captured_at", "pk")[:CAPTURED_LIMIT])


def _captures(incident: Incident) -> list[Entry]:
    entries = []
    for version in captured(incident):
        content = getattr(version, "content", None)
        text = content.text[:300] if content is not None else "(content disposed of)"
        entries.append(Entry(version.captured_at, f"Captured: {version.item.get_kind_display().lower()} "
                                                  f"{version.get_change_display().lower()}",
                             text, "", version.item.get_absolute_url()))
    return entries


def timeline(incident: Incident) -> list[Entry]:
    """Everything known of the incident, oldest first."""
    return sorted([*_steps(incident), *_rotations(incident), *_captures(incident)], key=lambda e: e.at)


def report_data(incident: Incident) -> dict[str, Any]:
    """The incident report as plain data (the JSON export; the PDF draws the same)."""
    return {"incident": incident.number, "account": str(incident.account), "url": incident.account.url,
            "agency": str(incident.account.agency), "status": incident.get_status_display(),
            "summary": incident.summary, "reported_by": str(incident.reported_by or "capture"),
            "reported_at": incident.reported_at.isoformat(),
            "known_good_at": incident.known_good_at.isoformat(),
            "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
            "resolved_by": str(incident.resolved_by) if incident.resolved_by else None,
            "resolution": incident.resolution, "generated_at": timezone.now().isoformat(),
            "timeline": [e.as_dict() for e in timeline(incident)]}
