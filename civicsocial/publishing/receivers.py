"""What publishing listens to: a frozen account (P14) and every archived batch (P5)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from civicsocial.publishing.matching import link_archived
from civicsocial.publishing.provenance import published_from
from civicsocial.publishing.sending import unschedule_frozen
from civicsocial.records.announce import on_archived
from civicsocial.records.provenance import provides
from civicsocial.registry.signals import account_frozen


def on_frozen(sender: Any, account_id: int, **kwargs: Any) -> None:
    """Take the frozen account's posts off the schedule, at the vendor too (P14)."""
    transaction.on_commit(lambda: unschedule_frozen(account_id))


def connect() -> None:
    account_frozen.connect(on_frozen, dispatch_uid="publishing-unschedule-frozen")
    on_archived(link_archived)
    provides(published_from)
