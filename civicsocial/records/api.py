"""Archive and FOIL API: the same search, items and cases as the pages and commands."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from civicsocial.http import AuthedRequest
from civicsocial.records import foil
from civicsocial.records.job_api import job_data
from civicsocial.records.models import FoilCase, ItemVersion
from civicsocial.records.production_jobs import cancel_production, request_production
from civicsocial.records.search.filters import Filters, api_fields
from civicsocial.records.search.query import QueryError
from civicsocial.records.search.service import search_page
from civicsocial.records.tasks import build_production
from civicsocial.records.views import case_or_404, item_or_404, visible_cases, visible_streams
from civicsocial.registry.models import Agency
from civicsocial.registry.permissions import Action, require, require_somewhere

router = Router(tags=["archive"])


if TYPE_CHECKING:
    SearchParams = Schema
else:  # the words, every filter (records/search/filters.py), the page
    SearchParams = create_model("SearchParams", __base__=Schema, q=(str, ""), **api_fields(),
                                page=(int, Field(1, ge=1, le=100_000)),
                                per_page=(int, Field(50, ge=1, le=500)),
                                # "exact": count every matching item; else up to 10,000 (issue 21)
                                count=(Literal["first", "exact"], "first"))


class CaseIn(Schema):
    requester: str
    received_on: date
    agency: str
    queries: list[str] = []
    notes: str = ""


def _case_data(case: FoilCase) -> dict[str, Any]:
    return {"id": case.pk, "number": case.number, "requester": case.requester,
            "received_on": case.received_on, "acknowledge_by": case.acknowledge_by,
            "business_days_left": foil.business_days_left(case), "status": case.status,
            "agency": case.agency.slug if case.agency else None,
            "searches": [s.query for s in case.searches.all()]}


@router.get("/archive/search")
def archive_search(request: AuthedRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Every version of every item (removed ones included unless exclude_deleted), one
    result per item, within the agencies whose archive the caller may read."""
    require_somewhere(request.user, Action.VIEW_ARCHIVE, "Your role does not include the archive.")
    filters = Filters.from_values(params.dict())
    values = params.dict()
    try:
        results = search_page(values["q"], filters, visible_streams(request), values["page"],
                              values["per_page"], exact_count=values["count"] == "exact")
    except QueryError as error:
        raise ValidationError({"q": str(error)}) from None
    return {"total": results.total, "total_is_exact": results.exact, "page": values["page"],
            "items": [h.as_dict() for h in results.hits]}


@router.get("/archive/items/{item_id}")
def archive_item(request: AuthedRequest, item_id: int) -> dict[str, Any]:
    item = item_or_404(request, item_id)
    versions = []
    for v in ItemVersion.objects.filter(item=item).select_related("content").order_by("version_no"):
        content = getattr(v, "content", None)
        versions.append({"version": v.version_no, "change": v.change, "captured_at": v.captured_at,
                         "chain_seq": v.chain_seq, "chain_hash": v.chain_hash,
                         "disposed": content is None,
                         "author": content.author if content else None,
                         "text": content.text if content else None,
                         "created_at": content.created_at if content else None})
    return {"id": item.pk, "platform": item.stream.platform, "account": item.stream.handle,
            "item_id": item.platform_id, "kind": item.kind, "deleted": item.deleted,
            "registered": item.stream.account_id is not None, "versions": versions}


@router.get("/foil")
def list_cases(request: AuthedRequest) -> list[dict[str, Any]]:
    require_somewhere(request.user, Action.MANAGE_FOIL, "Your role does not include FOIL cases.")
    return [_case_data(c) for c in visible_cases(request)[:500]]


@router.post("/foil", response={201: dict[str, Any]})
def open_case(request: AuthedRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    agency = Agency.objects.filter(slug=payload.agency).first()
    if agency is None:
        raise ValidationError({"agency": f"No agency '{payload.agency}'."})
    require(request.user, Action.MANAGE_FOIL, agency)
    case = foil.open_case(request.user, payload.requester, payload.received_on, payload.queries,
                          agency=agency, officer=request.user, notes=payload.notes)
    return Status(201, _case_data(case))


@router.get("/foil/{case_id}")
def get_case(request: AuthedRequest, case_id: int) -> dict[str, Any]:
    case = case_or_404(request, case_id)
    return {**_case_data(case), "items": len(foil.case_item_ids(case)),
            "production": job_data(case.production_jobs.first()),
            "verification": job_data(case.verification_jobs.first())}


@router.post("/foil/{case_id}/production", response={202: dict[str, Any]})
def start_production(request: AuthedRequest, case_id: int) -> Status[dict[str, Any]]:
    """Build the case's production in the worker (the one already being built, if any)."""
    job, new = request_production(request.user, case_or_404(request, case_id))
    if new:
        build_production(job.pk)
    return Status(202, job_data(job) or {})


@router.post("/foil/{case_id}/production/cancel")
def cancel_case_production(request: AuthedRequest, case_id: int) -> dict[str, Any]:
    """Cancel the build under way; the earlier production stays."""
    job = cancel_production(request.user, case_or_404(request, case_id))
    if job is None:
        raise ValidationError({"production": "Nothing is being built for this case."})
    return job_data(job) or {}
