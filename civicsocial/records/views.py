"""Archive and FOIL pages. Thin: permissions, a form, a service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from civicsocial.http import AuthedRequest
from civicsocial.records import foil, retention
from civicsocial.records.models import (
    ArchivedItem,
    ArchiveStream,
    FoilCase,
    ItemVersion,
)
from civicsocial.records.production_jobs import cancel_production, production_path, request_production
from civicsocial.records.provenance import provenance_of
from civicsocial.records.search.filters import Filters, form_fields
from civicsocial.records.search.query import QueryError
from civicsocial.records.search.service import Results, highlight, search_page
from civicsocial.records.tasks import build_production
from civicsocial.registry.models import Agency
from civicsocial.registry.permissions import (
    Action,
    agencies_for,
    can,
    events_for,
    is_ods_admin,
    require,
    require_somewhere,
)
from civicsocial.web import DateInput, form_page, posted

PER_PAGE = 50


def visible_streams(request: AuthedRequest) -> QuerySet[ArchiveStream] | None:
    """Streams of registered accounts of the person's agencies, or None for ODS: every
    stream, the unregistered ones (P1) included. None lets a search skip the stream
    restriction entirely (and be answered from the search index alone)."""
    if is_ods_admin(request.user):
        return None
    return ArchiveStream.objects.filter(
        account__agency__in=agencies_for(request.user, Action.VIEW_ARCHIVE))


def _require_archive(request: AuthedRequest) -> QuerySet[ArchiveStream] | None:
    require_somewhere(request.user, Action.VIEW_ARCHIVE, "Your role does not include the archive.")
    return visible_streams(request)


# The search page's form: the words, every filter (records/search/filters.py), the page.
SearchForm = type("SearchForm", (forms.Form,), {
    "q": forms.CharField(required=False, max_length=1000, label="Words"), **form_fields(),
    "page": forms.IntegerField(required=False, min_value=1, max_value=100000),
    # "exact": count every matching item (the first page stops at COUNT_CAP; issue 21).
    "count": forms.ChoiceField(required=False, choices=[("", "first"), ("exact", "exact")],
                               widget=forms.HiddenInput)})


@login_required
def archive_search(request: AuthedRequest) -> HttpResponse:
    streams = _require_archive(request)
    form = SearchForm(request.GET or None)
    results = Results([], 0)
    page = 1
    if form.is_valid():
        data = form.cleaned_data
        page = data["page"] or 1
        filters = Filters.from_values(data)
        try:
            results = search_page(data["q"], filters, streams, page, PER_PAGE,
                                  exact_count=data["count"] == "exact")
        except QueryError as error:
            form.add_error("q", str(error))
    hits, total = results.hits, results.total
    rows = [{"hit": h, "snippet": highlight(h.text, form.cleaned_data.get("q", "") if
                                            form.is_bound and not form.errors else "")}
            for h in hits]
    query = request.GET.copy()
    query.pop("page", None)
    exact = query.copy()
    exact["count"] = "exact"
    return render(request, "records/search.html", {
        "form": form, "rows": rows, "total": total, "exact": results.exact, "page": page,
        "pages": (total + PER_PAGE - 1) // PER_PAGE, "query": query.urlencode(),
        "exact_query": exact.urlencode(),
        # Only ODS sees streams of accounts outside the registry.
        "unregistered": ArchiveStream.objects.filter(account__isnull=True).count()
        if streams is None else 0})


def item_or_404(request: AuthedRequest, pk: int, action: Action = Action.VIEW_ARCHIVE) -> ArchivedItem:
    """An archived item: 404 when it is another agency's (or unregistered, for non-ODS),
    403 when the role in its own agency does not allow `action`."""
    item = get_object_or_404(ArchivedItem.objects.select_related("stream__account"), pk=pk)
    account = item.stream.account
    if account is None and not is_ods_admin(request.user):
        raise Http404("No such item.")
    require(request.user, action, account.agency_id if account else None)
    return item


def case_or_404(request: AuthedRequest, pk: int) -> FoilCase:
    case = get_object_or_404(FoilCase, pk=pk)
    if case.agency_id is None and not is_ods_admin(request.user):
        raise Http404("No such case.")
    require(request.user, Action.MANAGE_FOIL, case.agency_id)
    return case


@login_required
def item_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    item = item_or_404(request, pk)
    versions = ItemVersion.objects.filter(item=item).select_related("content", "disposal") \
        .order_by("version_no")
    agency = item.stream.account.agency if item.stream.account else None
    return render(request, "records/item.html", {
        "item": item, "versions": versions, "holds": item.holds.all(),
        "held": foil.is_held(item), "events": events_for(item, request.user),
        "provenance": provenance_of([item.pk]).get(item.pk, {}),
        "may_hold": can(request.user, Action.MANAGE_FOIL, agency)})


class HoldForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


@login_required
def item_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    item = item_or_404(request, pk, Action.MANAGE_FOIL)
    form = HoldForm(posted(request))

    def save() -> ArchivedItem:
        retention.place_hold(request.user, item, form.cleaned_data["reason"])
        return item

    return form_page(request, form, f"Legal hold on {item}", save, "", item.get_absolute_url(),
                     submit="Place hold")


def visible_cases(request: AuthedRequest) -> QuerySet[FoilCase]:
    if is_ods_admin(request.user):
        return FoilCase.objects.all()
    return FoilCase.objects.filter(agency__in=agencies_for(request.user, Action.MANAGE_FOIL))


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.MANAGE_FOIL, "Your role does not include FOIL cases.")
    cases = visible_cases(request)
    today = timezone.localdate()
    rows = [{"case": c, "left": foil.business_days_left(c, today)} for c in cases[:200]]
    return render(request, "records/case_list.html", {"rows": rows})


class CaseForm(forms.Form):
    requester = forms.CharField(max_length=200)
    received_on = forms.DateField(widget=DateInput, initial=timezone.localdate)
    agency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=Agency.objects.none())
    queries = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=10000, help_text="One search per line; what they "
                              "find is produced and held while the case is open.")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=20000)


@login_required
def case_create(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.MANAGE_FOIL,
                      "Only counsel and records officers open FOIL cases.")
    agencies = agencies_for(request.user, Action.MANAGE_FOIL)
    form = CaseForm(posted(request))
    form.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def save() -> FoilCase:
        data = form.cleaned_data
        queries = [q.strip() for q in data["queries"].splitlines() if q.strip()]
        return foil.open_case(request.user, data["requester"], data["received_on"], queries,
                              agency=data["agency"], officer=request.user, notes=data["notes"])

    return form_page(request, form, "Open a FOIL case", save, "", "/foil/", submit="Open case",
                     intro="The acknowledgment is due within five business days of receipt (P26).")


@login_required
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    item_ids = foil.case_item_ids(case)
    production = production_path(case)
    return render(request, "records/case_detail.html", {
        "job": case.production_jobs.first(), "verification": case.verification_jobs.first(),
        "case": case, "left": foil.business_days_left(case), "items": len(item_ids),
        "sample": ArchivedItem.objects.filter(pk__in=list(item_ids)[:50]).select_related("stream"),
        "searches": case.searches.all(), "events": events_for(case, request.user),
        "production": production if production.exists() else None,
        "statuses": FoilCase.Status.choices})


@login_required
def case_export(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    if request.method != "POST":
        return redirect("foil-case", pk)
    job, new = request_production(request.user, case)
    if new:
        build_production(job.pk)
    return redirect("foil-case", pk)


@login_required
def case_cancel_production(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel the build under way (issue 21); the earlier production stays."""
    case = case_or_404(request, pk)
    if request.method == "POST" and cancel_production(request.user, case) is None:
        messages.error(request, "Nothing is being built for this case.")
    return redirect("foil-case", pk)


@login_required
def case_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    path = production_path(case_or_404(request, pk))
    if not path.exists():
        raise Http404("No production yet.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
def case_status(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    if request.method == "POST":
        try:
            foil.set_status(request.user, case, request.POST.get("status", ""),
                            request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("foil-case", pk)

