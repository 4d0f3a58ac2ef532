"""FOIL cases (P26, P27): the statutory clock, attachments, and the holds they imply.

The clock: an agency must acknowledge a request within five business days of receipt
(N.Y. Public Officers Law §89(3)). Business days skip weekends and New York public
holidays (General Construction Law §24), from the maintained `holidays` package.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from functools import cache

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from civicsocial.records import holds
from civicsocial.records.models import (
    ArchivedItem,
    CaseHold,
    FoilCase,
    FoilItem,
    FoilSearch,
    LegalHold,
)
from civicsocial.records.search.filters import Filters
from civicsocial.records.search.query import QueryError, parse
from civicsocial.registry.models import Agency, Person
from civicsocial.registry.permissions import Action, can
from civicsocial.security import audit
from civicsocial.text import NAME_MAX, NOTES_MAX, REASON_MAX, clean_text

ACKNOWLEDGE_WITHIN = 5
EARLIEST_RECEIPT = date(2000, 1, 1)  # before any official social media account existed
MAX_SEARCHES = 20  # saved searches per case; each is run to find what the case holds
QUERY_MAX = 500
STILL_OPEN = ~Q(case__status=FoilCase.Status.CLOSED)  # a FoilItem's or CaseHold's case
# In the package's list for New York but not days off (§24 does not name them).
COMMEMORATIONS = {"Susan B. Anthony Day", "Flag Day"}


@cache
def _holidays(year: int) -> frozenset[date]:
    listed = holidays.country_holidays("US", subdiv="NY", years=year)
    return frozenset(day for day, name in listed.items() if name not in COMMEMORATIONS)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def business_days_after(start: date, count: int) -> date:
    """The date `count` business days after `start`."""
    day = start
    while count:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_days_left(case: FoilCase, today: date | None = None) -> int:
    """Business days until the acknowledgment is due (negative: overdue)."""
    today = today or timezone.localdate()
    if today <= case.acknowledge_by:
        days, day = 0, today
        while day < case.acknowledge_by:
            day += timedelta(days=1)
            days += is_business_day(day)
        return days
    days, day = 0, case.acknowledge_by
    while day < today:
        day += timedelta(days=1)
        days += is_business_day(day)
    return -days


@transaction.atomic
def open_case(actor: Person | None, requester: str, received_on: date,
              queries: list[str] | None = None, agency: Agency | None = None,
              officer: Person | None = None, notes: str = "",
              source_item: ArchivedItem | None = None) -> FoilCase:
    """Open a case with its clock running; saved searches are attached (and held).
    The same checks serve the pages, the API and the command line (issue 12)."""
    if not (requester or "").strip():
        raise ValidationError({"requester": "Name the requester."})
    requester = clean_text(requester, "requester", NAME_MAX)
    notes = clean_text(notes, "notes", NOTES_MAX, required=False)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "A request cannot be received in the future."})
    if received_on < EARLIEST_RECEIPT:
        raise ValidationError({"received_on": f"A request received before {EARLIEST_RECEIPT} "
                                              "is not a date this archive can hold."})
    check_queries(queries or [])
    case = FoilCase.objects.create(
        requester=requester, received_on=received_on, agency=agency, officer=officer,
        acknowledge_by=business_days_after(received_on, ACKNOWLEDGE_WITHIN), notes=notes,
        opened_by=actor, source_item=source_item)
    for query in queries or []:
        FoilSearch.objects.create(case=case, query=query)
    holds.refresh_case(case)
    if source_item is not None:
        FoilItem.objects.create(case=case, item=source_item)
    audit.record(actor, "foil.opened", case, agency_id=agency.pk if agency else None,
                 changes={"acknowledge_by": [None, str(case.acknowledge_by)],
                          "queries": [None, queries or []]})
    return case


def check_queries(queries: list[str], already: int = 0) -> None:
    """Saved searches are bounded in number and length, and must parse."""
    if already + len(queries) > MAX_SEARCHES:
        raise ValidationError({"query": f"A case keeps at most {MAX_SEARCHES} saved searches."})
    for query in queries:
        clean_text(query, "query", QUERY_MAX)
        try:
            parse(query)
        except QueryError as error:
            raise ValidationError({"query": f"'{query}': {error}"}) from None


@transaction.atomic
def attach_search(actor: Person | None, case: FoilCase, query: str,
                  filters: Filters | None = None) -> FoilSearch:
    check_queries([query], case.searches.count())
    saved = FoilSearch.objects.create(case=case, query=query,
                                      filters={k: str(v) if isinstance(v, date) else v
                                               for k, v in asdict(filters or Filters()).items()})
    holds.refresh_case(case)
    audit.record(actor, "foil.search_attached", case, changes={"query": [None, query]})
    return saved


@transaction.atomic
def attach_item(actor: Person | None, case: FoilCase, item: ArchivedItem) -> FoilItem:
    picked, _ = FoilItem.objects.get_or_create(case=case, item=item)
    audit.record(actor, "foil.item_attached", case, changes={"item": [None, item.platform_id]})
    return picked


@transaction.atomic
def set_status(actor: Person | None, case: FoilCase, status: str, reason: str) -> FoilCase:
    """Move a case on, with a reason. Closing lifts its holds, so only the agency's records
    officer (or ODS, or the command line) closes; the same status again writes nothing."""
    if status not in FoilCase.Status.values:
        raise ValidationError({"status": f"'{status}' is not a case status."})
    reason = clean_text(reason, "reason", REASON_MAX)
    if status == case.status:
        return case
    if status == FoilCase.Status.CLOSED and actor is not None and \
            not can(actor, Action.CLOSE_FOIL, case.agency):
        raise PermissionDenied("Closing a case lifts its holds: the records officer closes it.")
    old = case.status
    case.status = status
    if status == FoilCase.Status.ACKNOWLEDGED and not case.acknowledged_on:
        case.acknowledged_on = timezone.localdate()
    case.closed_at = timezone.now() if status == FoilCase.Status.CLOSED else None
    case.save()
    if old == FoilCase.Status.CLOSED:  # reopened: what arrived while closed is held again
        holds.refresh_case(case)
    audit.record(actor, "foil.status", case, changes={"status": [old, status]}, reason=reason)
    return case


def case_item_ids(case: FoilCase) -> set[int]:
    """Every item a case covers: picked by hand, or found by its saved searches among
    the agency's own accounts (a case without an agency is citywide)."""
    return set(case.picked.values_list("item_id", flat=True)) | \
        set(case.found.values_list("item_id", flat=True))


def is_held(item: ArchivedItem) -> bool:
    """Whether one item is under hold: three indexed lookups, whatever the cases hold."""
    return LegalHold.objects.filter(item=item, released_at__isnull=True).exists() or \
        FoilItem.objects.filter(STILL_OPEN, item=item).exists() or \
        CaseHold.objects.filter(STILL_OPEN, item=item).exists()


def held_item_ids(recheck: bool = False) -> set[int]:
    """Items under legal hold: held one by one, or covered by a case still open. With
    `recheck` (before disposal, which cannot be undone) each open case's searches run
    again too, so nothing a search would find is ever disposed of."""
    ids = set(LegalHold.objects.filter(released_at__isnull=True, item__isnull=False)
              .values_list("item_id", flat=True))
    ids |= set(FoilItem.objects.filter(STILL_OPEN).values_list("item_id", flat=True))
    ids |= set(CaseHold.objects.filter(STILL_OPEN).values_list("item_id", flat=True))
    if recheck:
        for case in FoilCase.objects.exclude(status=FoilCase.Status.CLOSED):
            ids |= holds.search_item_ids(case)
    return ids
