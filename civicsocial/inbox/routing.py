"""What follows at once from a label, before anyone reads the item:

- dangerous_condition (P24): possible legal notice. The item goes on legal hold, its state
  is "held", and counsel is e-mailed its exact capture time and the place it names.
- records_request (P26): a FOIL case opens, linked to the item, with its statutory clock
  running from the day it was captured; the agency's records officers are e-mailed.

Each step checks what is already done, so routing the same item twice changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicsocial.inbox import notify
from civicsocial.inbox.models import InboxEntry, InboxState
from civicsocial.records import foil, retention
from civicsocial.records.models import FoilCase, LegalHold
from civicsocial.registry.models import Role

ROUTED = {"dangerous_condition", "records_request"}
LEGAL_NOTICE = "Possible legal notice (P24): a report of a dangerous condition"


def _link(path: str) -> str:
    return f"{getattr(settings, 'CIVICSOCIAL_BASE_URL', '')}{path}"


def _hold_as_legal_notice(entry: InboxEntry, text: str) -> None:
    item = entry.item
    if entry.state == InboxState.NEW:
        entry.state = InboxState.HELD
        entry.save(update_fields=["state"])
    if LegalHold.objects.filter(item=item, reason__startswith=LEGAL_NOTICE).exists():
        return  # held and counsel told already
    retention.place_hold(None, item, f"{LEGAL_NOTICE}, captured "
                         f"{item.first_captured_at.isoformat()}"
                         f"{f' at {entry.location}' if entry.location else ''}.")
    agency = entry.account.agency
    notify.send(f"Possible legal notice on {entry.account.handle}",
                f"A comment on {entry.account} may report a dangerous condition (P24).\n\n"
                f"Captured at: {item.first_captured_at.isoformat(timespec='microseconds')}\n"
                f"Place named: {entry.location or '(none found)'}\n"
                f"Text: {text[:2000]}\n\nIt is on legal hold. Open it: "
                f"{_link(entry.get_absolute_url())}\n",
                notify.addresses(notify.people_with_role(agency, Role.COUNSEL)))


def _open_foil_case(entry: InboxEntry, author: str, text: str) -> None:
    item = entry.item
    if FoilCase.objects.filter(source_item=item).exists():
        return
    # The city's date (an evening comment in New York is already tomorrow in UTC).
    received = timezone.localdate(item.first_captured_at)
    case = foil.open_case(None, author or "(unknown author)", received,
                          agency=entry.account.agency, source_item=item,
                          notes=f"Opened from a comment on {entry.account} (P26):\n{text[:5000]}")
    notify.send(f"New FOIL request on {entry.account.handle}: {case.number}",
                f"A comment on {entry.account} asks for records (P26). Case {case.number} is "
                f"open; acknowledge by {case.acknowledge_by}.\n\n{text[:2000]}\n\n"
                f"{_link(case.get_absolute_url())}\n",
                notify.addresses(notify.people_with_role(entry.account.agency,
                                                         Role.RECORDS_OFFICER)))


def route(entries: list[InboxEntry], texts: dict[int, tuple[str, str]]) -> None:
    """Act on the labels of freshly triaged entries; `texts`: item pk -> (author, text)."""
    for entry in entries:
        author, text = texts.get(entry.item_id, ("", ""))
        with transaction.atomic():
            if "dangerous_condition" in entry.labels:
                _hold_as_legal_notice(entry, text)
            if "records_request" in entry.labels:
                _open_foil_case(entry, author, text)
