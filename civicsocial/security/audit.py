"""Recording state changes in the audit log. Every service that changes state calls
`record`; pages show each object's events as the viewer may see them
(`registry.permissions.events_for`). This module knows no other app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from civicsocial.security.models import AuditEvent


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, as JSON-safe plain data (FKs by id)."""
    values: dict[str, Any] = {}
    for name in fields:
        # Foreign keys by id (attname), so a snapshot never loads related rows.
        value = getattr(obj, getattr(obj._meta.get_field(name), "attname", name))
        values[name] = value if isinstance(value, str | int | bool | float | list | dict) or \
            value is None else str(value)
    return values


EMPTY: tuple[Any, ...] = (None, "", False, [], {})


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}; nothing-to-nothing is no change
    (so a new record lists only the fields that were filled in)."""
    return {k: [before.get(k), v] for k, v in after.items()
            if before.get(k) != v and not (before.get(k) in EMPTY and v in EMPTY)}


def _agency_id(obj: models.Model) -> int | None:
    if obj._meta.model_name == "agency":
        return obj.pk
    return getattr(obj, "agency_id", None)


def record(
    actor: Any,
    action: str,
    target: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    agency_id: int | None = None,
) -> AuditEvent:
    """Append one event: `actor` did `action` to `target`, changing `changes`, because `reason`."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        agency_id=agency_id if agency_id is not None else _agency_id(target),
        changes=changes or {},
        reason=reason,
    )
