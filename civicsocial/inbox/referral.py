"""Referring a resident to 311 (P23): one action replies from the account with the
referral text (nyc.gov/311 and the agency's own words) and, where an Open311 endpoint is
configured, files a service request at the place the comment names. The request's id and
status are kept in the item's `Referral` and refreshed by `refresh_referrals`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from civicsocial.inbox.models import InboxEntry, InboxState, Referral
from civicsocial.inbox.open311 import Open311Client, Open311Error, Service
from civicsocial.inbox.services import text_of
from civicsocial.platforms.adapters.base import PlatformAdapter, PlatformError
from civicsocial.platforms.adapters.frozen import refuse_if_frozen
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.registry.models import Agency, Person
from civicsocial.security import audit

CITY_WORDING = ("Thank you for letting us know. So that the right team can fix it and you "
                "can follow its progress, please report it to 311 at nyc.gov/311 or call 311.")
CITY = "New York, NY"
AUDITED = ["state", "location"]
AUDITED_REFERRAL = ["request_id", "reply_id"]


def referral_text(agency: Agency, request_id: str = "") -> str:
    """The reply: the agency's words (the city's when it has none), always with nyc.gov/311."""
    text = agency.referral_wording.strip() or CITY_WORDING
    if "nyc.gov/311" not in text:
        text = f"{text} nyc.gov/311"
    if request_id:
        text = f"{text} (311 request {request_id})"
    return text


def suggest_service(services: list[Service], text: str) -> str:
    """The service whose name or keywords share the most words with the comment ("" if none)."""
    words = set(re.findall(r"[a-z]{3,}", text.lower()))
    best, score = "", 0
    for service in services:
        vocabulary = set(re.findall(r"[a-z]{3,}", f"{service.name} {service.keywords}".lower()))
        overlap = len(words & vocabulary)
        if overlap > score:
            best, score = service.code, overlap
    return best


def _file_request(client: Open311Client, entry: InboxEntry, referral: Referral, service_code: str,
                  location: str) -> None:
    if not location:
        raise ValidationError({"location": "No place was found in the comment: name one "
                                           "(an address or an intersection)."})
    created = client.create(service_code, f"{text_of(entry)}\n\nReported on {entry.account} "
                            f"({entry.item.platform_id})", f"{location}, {CITY}")
    referral.request_id = created.service_request_id
    referral.request_token = created.token
    referral.status = "open" if created.service_request_id else "queued"
    referral.notes = created.notice
    referral.checked_at = timezone.now()


def _audited(entry: InboxEntry, referral: Referral) -> dict[str, object]:
    return audit.snapshot(entry, AUDITED) | audit.snapshot(referral, AUDITED_REFERRAL)


def refer_to_311(actor: Person, entry: InboxEntry, service_code: str = "", location: str = "",
                 client: Open311Client | None = None,
                 adapter: PlatformAdapter | None = None) -> Referral:
    """Reply with the referral and, when `client` and `service_code` are given, file the
    service request. Replying twice is once (the reply's idempotency key is the item's).
    The request is saved as soon as it is filed, so a failed reply never files it twice."""
    if entry.state == InboxState.HIDDEN:
        raise ValidationError("This item was hidden; it cannot be answered.")
    referral = Referral.objects.filter(entry=entry).first() or Referral(entry=entry)
    before = _audited(entry, referral)
    entry.location = (location or entry.location).strip()[:300]
    try:
        refuse_if_frozen(entry.account)  # P14: no service request either, in a frozen account's name
        if client is not None and service_code and not referral.request_id:
            _file_request(client, entry, referral, service_code, entry.location)
            referral.save()
        if not referral.reply_id:
            speaker = adapter or adapter_for(entry.account)
            published = speaker.publish(referral_text(entry.account.agency, referral.request_id),
                                        f"civicsocial-311-{entry.item.pk}",
                                        reply_to=entry.item.platform_id)
            referral.reply_id = published.item_id
    except (PlatformError, Open311Error) as error:
        raise ValidationError(f"The referral could not be completed: {error}") from None
    referral.save()
    entry.state = InboxState.REFERRED
    entry.reviewed_at = entry.reviewed_at or timezone.now()
    entry.save()
    audit.record(actor, "inbox.referred_311", entry.item, agency_id=entry.account.agency_id,
                 changes=audit.diff(before, _audited(entry, referral)))
    return referral


def refresh_referrals(client: Open311Client | None = None) -> int:
    """Bring open 311 requests up to date; returns how many changed status. Several
    workers may run it at once: each referral is checked by whichever locks it first,
    and the others pass it by (issue 17)."""
    client = client or Open311Client.from_environment()
    if client is None:
        return 0
    open_ones = Referral.objects.exclude(status__in=["", "closed"])
    changed = 0
    for pk in list(open_ones.values_list("pk", flat=True)):
        with transaction.atomic():
            referral = open_ones.select_for_update(skip_locked=True, of=("self",)) \
                .select_related("entry__item", "entry__account").filter(pk=pk).first()
            if referral is not None:  # None: another worker has it, or it just closed
                changed += _refresh(client, referral)
    return changed


def _refresh(client: Open311Client, referral: Referral) -> int:
    """Ask the endpoint about one referral and keep what it says; 1 if its status changed."""
    try:
        if not referral.request_id:
            referral.request_id = client.request_id_for(referral.request_token)
            if not referral.request_id:
                return 0
        status = client.status(referral.request_id)
    except Open311Error as error:
        referral.notes = f"status check failed: {error}"
        referral.save(update_fields=["notes"])
        return 0
    changed = status.status != referral.status
    if changed:
        audit.record(None, "inbox.311_status", referral.entry.item,
                     agency_id=referral.entry.account.agency_id,
                     changes={"status": [referral.status, status.status]})
    referral.status = status.status
    referral.notes = status.notes
    referral.checked_at = timezone.now()
    referral.save()
    return int(changed)
