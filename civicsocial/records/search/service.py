"""Records search: complete by default (every version of every item, removed ones
included), one result per item, the same on both engines."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from civicsocial.records.models import ArchivedItem, ArchiveStream, ItemVersion, VersionContent
from civicsocial.records.search import backends
from civicsocial.records.search.filters import Filters
from civicsocial.records.search.query import Query, highlight_terms, parse
from civicsocial.records.search.text import fold

WORD = re.compile(r"[^\W_]+")


@dataclass
class Hit:
    pk: int
    platform: str
    account: str
    item_id: str
    kind: str
    text: str
    author: str
    url: str
    deleted: bool
    edited: bool
    versions: int
    matched_versions: list[int] = field(default_factory=list)
    last_captured_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def matching_versions(query: Query, filters: Filters,
                      streams: QuerySet[Any] | None = None) -> QuerySet[ItemVersion]:
    """Versions matching the query and filters, within `streams` when given."""
    if query.contradicted:
        return ItemVersion.objects.none()
    versions = ItemVersion.objects.all() if streams is None else \
        ItemVersion.objects.filter(stream__in=streams)
    if not query.empty:
        sql, params = backends.version_ids_sql(query)
        versions = versions.filter(id__in=RawSQL(sql, params))  # noqa: S611 - parameterized
    if filters.account:
        versions = versions.filter(stream__handle__iexact=filters.account)
    if filters.platform:
        versions = versions.filter(stream__platform=filters.platform.lower())
    if filters.kind:
        versions = versions.filter(item__kind=filters.kind)
    if filters.author:
        versions = versions.filter(content__author__iexact=filters.author)
    if filters.since:
        versions = versions.filter(content__created_at__gte=_day_start(filters.since))
    if filters.until and filters.until < date.max:  # until the last day: no upper bound
        versions = versions.filter(content__created_at__lt=_day_start(filters.until)
                                   + timedelta(days=1))
    if filters.exclude_deleted:
        versions = versions.filter(item__deleted=False)
    return versions


def matched_items(text: str, filters: Filters | None = None, limit: int | None = None,
                  streams: QuerySet[Any] | None = None) -> dict[int, list[int]]:
    """{item id: matching version numbers}, in item order."""
    query = parse(text)
    matched: dict[int, list[int]] = {}
    rows = matching_versions(query, filters or Filters(), streams) \
        .order_by("item_id", "version_no").values_list("item_id", "version_no")
    for item_pk, version_no in rows.iterator(chunk_size=5000):
        if item_pk not in matched and limit is not None and len(matched) >= limit:
            break
        matched.setdefault(item_pk, []).append(version_no)
    return matched


def search(text: str, filters: Filters | None = None, limit: int | None = None,
           streams: QuerySet[Any] | None = None) -> list[Hit]:
    """Items with at least one version matching `text` and the filters."""
    return describe_items(matched_items(text, filters, limit, streams))


# The first page counts matching items up to this many, then says "more than"; the exact
# number comes on request (issue 21): it means reading every matching posting.
COUNT_CAP = 10_000


@dataclass
class Results:
    """One page of a search and how many items match: exactly, or (exact False) more
    than `total`."""

    hits: list[Hit]
    total: int
    exact: bool = True


def search_page(text: str, filters: Filters, streams: QuerySet[Any] | None, page: int,
                per_page: int = 50, exact_count: bool = False) -> Results:
    """One page of a complete search, and how many items match in all (exactly when
    asked, else up to COUNT_CAP). The words are answered by the search index read in key
    order, the filters checked row by row as it goes (backends.Scope), so a page and a
    capped count stop as soon as they have enough; only the page's items are read into
    Python."""
    query = parse(text)
    cap = None if exact_count else COUNT_CAP
    if query.empty:
        item_ids = matching_versions(query, filters, streams).values_list("item_id", flat=True).distinct()
        found = item_ids.count() if cap is None else item_ids.order_by()[:cap + 1].count()
        page_ids = list(item_ids.order_by("item_id")[(page - 1) * per_page: page * per_page])
        matched = matched_versions(query, filters, streams, page_ids)
    else:
        scope = _scope(filters, streams)
        matched = backends.page_items(query, (page - 1) * per_page, per_page, scope)
        found = backends.count_items(query, scope, cap)
    if cap is not None and found > cap:
        return Results(describe_items(matched), cap, exact=False)
    return Results(describe_items(matched), found)


def count_matching(text: str, filters: Filters, streams: QuerySet[Any] | None = None) -> int:
    """The exact number of items with a version matching `text` and the filters."""
    return search_page(text, filters, streams, 1, per_page=0, exact_count=True).total


def matched_versions(query: Query, filters: Filters, streams: QuerySet[Any] | None,
                     item_ids: list[int]) -> dict[int, list[int]]:
    """{item id: matching version numbers} for these items, in their order."""
    matched: dict[int, list[int]] = {i: [] for i in item_ids}
    for item_pk, version_no in matching_versions(query, filters, streams).filter(item_id__in=item_ids) \
            .order_by("item_id", "version_no").values_list("item_id", "version_no"):
        matched[item_pk].append(version_no)
    return matched


def _scope(filters: Filters, streams: QuerySet[Any] | None) -> backends.Scope:
    """The filters as the index reads them: account, platform and the caller's agencies
    become the streams they name."""
    stream_ids = None
    if streams is not None or filters.account or filters.platform:
        chosen = ArchiveStream.objects.all() if streams is None else streams
        if filters.account:
            chosen = chosen.filter(handle__iexact=filters.account)
        if filters.platform:
            chosen = chosen.filter(platform=filters.platform.lower())
        stream_ids = tuple(chosen.values_list("pk", flat=True))
    until = _day_start(filters.until) + timedelta(days=1) \
        if filters.until and filters.until < date.max else None
    return backends.Scope(stream_ids=stream_ids, kind=filters.kind, exclude_deleted=filters.exclude_deleted,
                          author=filters.author, since=_day_start(filters.since) if filters.since else None,
                          before=until)


def describe_items(matched: dict[int, list[int]]) -> list[Hit]:
    """One Hit per item id, with its latest text (of the newest version that has any).
    Only the columns a hit shows are read: no payloads, no model instances (a page of 50
    hits was a third of a search's time at a million items)."""
    hits: list[Hit] = []
    ids = list(matched)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        items = {row[0]: row for row in ArchivedItem.objects.filter(pk__in=chunk).values_list(
            "pk", "stream__platform", "stream__handle", "platform_id", "kind", "deleted", "edited",
            "versions", "last_captured_at")}
        latest: dict[int, tuple[str, str, str]] = {}
        for item_pk, text, author, url in VersionContent.objects.filter(version__item_id__in=chunk) \
                .order_by("version__item_id", "version__version_no") \
                .values_list("version__item_id", "text", "author", "url"):
            if text or item_pk not in latest:
                latest[item_pk] = (text, author, url)
        for pk in chunk:
            _, platform, account, platform_id, kind, deleted, edited, versions, captured = items[pk]
            text, author, url = latest.get(pk, ("", "", ""))
            hits.append(Hit(
                pk=pk, platform=platform, account=account, item_id=platform_id, kind=kind, text=text,
                author=author, url=url, deleted=deleted, edited=edited, versions=versions,
                matched_versions=matched[pk], last_captured_at=captured.isoformat()))
    return hits


def highlight(text: str, query_text: str, width: int = 200) -> list[tuple[str, bool]]:
    """A snippet around the first hit, as (piece, is_match) pairs for pages and terminals."""
    terms = {t.words[0]: t.prefix for t in highlight_terms(parse(query_text))}
    pieces: list[tuple[str, bool]] = []
    first = None
    position = 0
    for word in WORD.finditer(text):
        folded = fold(word.group())
        hit = any(folded == w or (prefix and folded.startswith(w)) for w, prefix in terms.items())
        if hit:
            first = word.start() if first is None else first
            pieces.append((text[position:word.start()], False))
            pieces.append((word.group(), True))
            position = word.end()
    pieces.append((text[position:], False))
    start = max(0, (first or 0) - width // 2)
    out: list[tuple[str, bool]] = []
    offset = 0
    for piece, is_match in pieces:
        begin, end = offset, offset + len(piece)
        offset = end
        if end < start or begin > start + width:
            continue
        out.append((piece[max(0, start - begin): start + width - begin], is_match))
    return [p for p in out if p[0]]
