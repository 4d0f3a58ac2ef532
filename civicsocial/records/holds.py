"""What FOIL cases' saved searches hold, written down once (issue 12).

Running every open case's searches on each page view made item and inbox pages 60 times
slower and let anyone who opens cases slow every agency's pages. Instead a case's finds
are written to `CaseHold` when its searches change (`refresh_case`) and, for the items
that just got a version, as captures are archived (`hold_for_open_cases`, in the same
transaction). Both only add rows and ignore what is already there, so two workers doing
the same gives the same rows as one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from civicsocial.records.models import ArchiveStream, CaseHold, FoilCase, ItemVersion
from civicsocial.records.search.filters import Filters
from civicsocial.records.search.query import parse
from civicsocial.records.search.service import matching_versions


def filters_from(data: dict[str, Any]) -> Filters:
    """The filters a FOIL search saved (its dates as ISO text)."""
    values = dict(data)
    for key in ("since", "until"):
        if isinstance(values.get(key), str):
            values[key] = date.fromisoformat(values[key])
    return Filters.from_values(values)


def saved_search_versions(case: FoilCase) -> Iterator[QuerySet[ItemVersion]]:
    """What each of the case's saved searches finds, within the case's agency."""
    streams = None if case.agency_id is None else \
        ArchiveStream.objects.filter(account__agency_id=case.agency_id)
    for saved in case.searches.all():
        yield matching_versions(parse(saved.query), filters_from(saved.filters), streams)


def search_item_ids(case: FoilCase, among: Iterable[int] | None = None) -> set[int]:
    """Items the case's saved searches find now (among `among` only, when given)."""
    ids: set[int] = set()
    wanted = None if among is None else list(among)
    for versions in saved_search_versions(case):
        if wanted is not None:
            versions = versions.filter(item_id__in=wanted)
        ids.update(versions.values_list("item_id", flat=True).distinct())
    return ids


def refresh_case(case: FoilCase, among: Iterable[int] | None = None) -> int:
    """Write down what the case's searches find (among `among`, when given)."""
    found = search_item_ids(case, among)
    CaseHold.objects.bulk_create([CaseHold(case=case, item_id=pk) for pk in sorted(found)],
                                 ignore_conflicts=True, batch_size=500)
    return len(found)


def hold_for_open_cases(item_ids: list[int]) -> None:
    """Items that just got a version, checked against every open case's searches."""
    if not item_ids:
        return
    for case in FoilCase.objects.exclude(status=FoilCase.Status.CLOSED) \
            .filter(searches__isnull=False).distinct():
        refresh_case(case, item_ids)
