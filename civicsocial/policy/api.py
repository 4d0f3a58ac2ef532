"""Compliance report API: the same data as `civicsocial compliance --format json`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from civicsocial.policy.report import city_report, report_as_data
from civicsocial.registry.permissions import visible_agencies

router = Router(tags=["compliance"])


@router.get("/compliance")
def compliance(request: HttpRequest, agency: str | None = None) -> dict[str, Any]:
    """Every check with its P-id, pass/fail and reason, per visible agency and citywide."""
    agencies = visible_agencies(request.user)
    if agency:
        agencies = agencies.filter(pk=get_object_or_404(agencies, slug=agency).pk)
    return report_as_data(city_report(agencies))
