"""The compliance report page, with a chart of compliance by agency."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from civicsocial.http import AuthedRequest
from civicsocial.policy.report import city_report
from civicsocial.security.permissions import visible_agencies

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
        "chart_height": 28 * len(rows) + 30, "by_check": report.by_check()})
