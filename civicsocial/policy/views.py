"""The compliance report page, with a chart of compliance by agency; ODS's pages for
unregistered accounts and for the pictures the logo match was unsure of."""

from __future__ import annotations

import re
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from PIL import Image, UnidentifiedImageError

from civicsocial.http import AuthedRequest
from civicsocial.policy.branding import avatar_bytes, awaiting_logos, decide_logo
from civicsocial.policy.logo import MATCH_AT, UNSURE_AT
from civicsocial.policy.report import city_report
from civicsocial.policy.unregistered import unregistered_accounts
from civicsocial.registry.permissions import is_ods_admin, visible_agencies

BAR_WIDTH = 360  # pixels for a full bar in the chart


@login_required
def compliance(request: AuthedRequest) -> HttpResponse:
    report = city_report(visible_agencies(request.user))
    rows = []
    for index, agency in enumerate(report.agencies):
        total = max(len(agency.results), 1)
        passed = round(BAR_WIDTH * agency.passed / total)
        awaiting = round(BAR_WIDTH * agency.awaiting / total)
        rows.append({
            "agency": agency, "y": 28 * index + 10, "pass_width": passed,
            "awaiting_x": 200 + passed, "awaiting_width": awaiting,
            "fail_x": 200 + passed + awaiting, "fail_width": BAR_WIDTH - passed - awaiting,
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


SHA256 = re.compile(r"[0-9a-f]{64}")


@login_required
def logo_queue(request: AuthedRequest) -> HttpResponse:
    """ODS only: the pictures the logo match was unsure of, each once, to decide (P8)."""
    if not is_ods_admin(request.user):
        raise PermissionDenied("Only ODS decides whether a picture shows the city's logo.")
    if request.method == "POST":
        digest = request.POST.get("sha256", "")
        shows = request.POST.get("shows_logo")
        if not SHA256.fullmatch(digest) or shows not in ("yes", "no"):
            messages.error(request, "Choose a picture and whether it shows the city's logo.")
        else:
            try:
                count = decide_logo(request.user, digest, shows == "yes")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Recorded; {count} profile snapshot(s) judged again.")
        return redirect("logo-queue")
    return render(request, "policy/logo_queue.html", {
        "pictures": awaiting_logos(), "match_at": MATCH_AT, "unsure_at": UNSURE_AT})


@login_required
def logo_picture(request: AuthedRequest, sha256: str) -> HttpResponse:
    """ODS only: an audited profile picture, as PNG (whatever it was stored as)."""
    if not is_ods_admin(request.user):
        raise PermissionDenied("Only ODS reviews audited pictures.")
    data = avatar_bytes(sha256) if SHA256.fullmatch(sha256) else None
    if data is None:
        raise Http404("No audited picture with that hash.")
    try:
        picture = Image.open(BytesIO(data))
        picture.thumbnail((384, 384))
        out = BytesIO()
        picture.convert("RGB").save(out, "PNG")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise Http404("The stored picture cannot be read.") from None
    return HttpResponse(out.getvalue(), content_type="image/png")

