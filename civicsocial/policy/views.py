"""The compliance report page, with a chart of compliance by agency."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from civicsocial.http import AuthedRequest
from civicsocial.policy.report import city_report
from civicsocial.policy.unregistered import unregistered_accounts
from civicsocial.security.permissions import is_ods_admin, visible_agencies

BAR_WIDTH = 360  # pixels for a full bar in the chart


@login_required
def compliance(request: AuthedRequest) -> HttpResponse:
    report = city_report(visible_agencies(request.user))
    rows = []
    for index, agency in enumerate(report.agencies):
        total = max(len(agency.results), 1)
        rows.append({
            "agency": agency, "y": 28 * index + 10,
            "pass_width": round(BAR_WIDTH * agency.passed / total),
            "fail_width": BAR_WIDTH - round(BAR_WIDTH * agency.passed / total),
        })
    return render(request, "policy/compliance.html", {
        "report": report, "rows": rows, "bar_width": BAR_WIDTH,
        "chart_height": 28 * len(rows) + 30, "by_check": report.by_check(),
        "is_ods": is_ods_admin(request.user)})


@login_required
def unregistered(request: AuthedRequest) -> HttpResponse:
    """ODS only: handles in the archive that claim the city but are not registered (P1)."""
    if not is_ods_admin(request.user):
        raise PermissionDenied("Only ODS reviews unregistered accounts.")
    return render(request, "policy/unregistered.html", {"accounts": unregistered_accounts()})
