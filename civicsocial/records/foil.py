"""FOIL cases (P26, P27): the statutory clock, attachments, and the holds they imply.

The clock: an agency must acknowledge a request within five business days of receipt
(N.Y. Public Officers Law §89(3)). Business days skip weekends and New York public
holidays (General Construction Law §24), from the maintained `holidays` package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from civicsocial.records.models import (
    ArchivedItem,
    ArchiveStream,
    FoilCase,
    FoilItem,
    FoilSearch,
    ItemVersion,
    LegalHold,
)
from civicsocial.records.search.query import QueryError, parse
from civicsocial.records.search.service import Filters, matching_versions
from civicsocial.registry.models import Agency, Person
from civicsocial.security import audit

ACKNOWLEDGE_WITHIN = 5
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


def filters_from(data: dict[str, Any]) -> Filters:
    values = {k: v for k, v in data.items() if k in Filters.__dataclass_fields__}
    for key in ("since", "until"):
        if isinstance(values.get(key), str):
            values[key] = date.fromisoformat(values[key])
    return Filters(**values)


@transaction.atomic
def open_case(actor: Person | None, requester: str, received_on: date,
              queries: list[str] | None = None, agency: Agency | None = None,
              officer: Person | None = None, notes: str = "",
              source_item: ArchivedItem | None = None) -> FoilCase:
    """Open a case with its clock running; saved searches are attached (and held)."""
    if not requester.strip():
        raise ValidationError({"requester": "Name the requester."})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "A request cannot be received in the future."})
    for query in queries or []:
        try:
            parse(query)
        except QueryError as error:
            raise ValidationError({"query": f"'{query}': {error}"}) from None
    case = FoilCase.objects.create(
        requester=requester.strip(), received_on=received_on, agency=agency, officer=officer,
        acknowledge_by=business_days_after(received_on, ACKNOWLEDGE_WITHIN), notes=notes,
        opened_by=actor, source_item=source_item)
    for query in queries or []:
        FoilSearch.objects.create(case=case, query=query)
    if source_item is not None:
        FoilItem.objects.create(case=case, item=source_item)
    audit.record(actor, "foil.opened", case, agency_id=agency.pk if agency else None,
                 changes={"acknowledge_by": [None, str(case.acknowledge_by)],
                          "queries": [None, queries or []]})
    return case


@transaction.atomic
def attach_search(actor: Person | None, case: FoilCase, query: str,
                  filters: Filters | None = None) -> FoilSearch:
    parse(query)
    saved = FoilSearch.objects.create(case=case, query=query,
                                      filters={k: str(v) if isinstance(v, date) else v
                                               for k, v in asdict(filters or Filters()).items()})
    audit.record(actor, "foil.search_attached", case, changes={"query": [None, query]})
    return saved


@transaction.atomic
def attach_item(actor: Person | None, case: FoilCase, item: ArchivedItem) -> FoilItem:
    picked, _ = FoilItem.objects.get_or_create(case=case, item=item)
    audit.record(actor, "foil.item_attached", case, changes={"item": [None, item.item_id]})
    return picked


@transaction.atomic
def set_status(actor: Person | None, case: FoilCase, status: str, reason: str = "") -> FoilCase:
    old = case.status
    case.status = status
    if status == FoilCase.Status.ACKNOWLEDGED and not case.acknowledged_on:
        case.acknowledged_on = timezone.localdate()
    case.closed_at = timezone.now() if status == FoilCase.Status.CLOSED else None
    case.save()
    audit.record(actor, "foil.status", case, changes={"status": [old, status]}, reason=reason)
    return case


def case_item_ids(case: FoilCase) -> set[int]:
    """Every item a case covers: picked by hand, or found by its saved searches among
    the agency's own accounts (a case without an agency is citywide)."""
    ids = set(case.picked.values_list("item_id", flat=True))
    for versions in _saved_search_versions(case):
        ids.update(versions.values_list("item_id", flat=True).distinct())
    return ids


def _saved_search_versions(case: FoilCase) -> Iterator[QuerySet[ItemVersion]]:
    """What each of the case's saved searches finds, within the case's agency."""
    streams = None if case.agency_id is None else \
        ArchiveStream.objects.filter(account__agency_id=case.agency_id)
    for saved in case.searches.all():
        yield matching_versions(parse(saved.query), filters_from(saved.filters), streams)


def is_held(item: ArchivedItem) -> bool:
    """Whether one item is under hold, asking each open case about this item only."""
    if LegalHold.objects.filter(item=item, released_at__isnull=True).exists():
        return True
    for case in FoilCase.objects.exclude(status=FoilCase.Status.CLOSED):
        if case.picked.filter(item=item).exists():
            return True
        if any(versions.filter(item=item).exists() for versions in _saved_search_versions(case)):
            return True
    return False


def held_item_ids() -> set[int]:
    """Items under legal hold: held one by one, or covered by a case still open."""
    ids = set(LegalHold.objects.filter(released_at__isnull=True, item__isnull=False)
              .values_list("item_id", flat=True))
    for case in FoilCase.objects.exclude(status=FoilCase.Status.CLOSED):
        ids |= case_item_ids(case)
    return ids
