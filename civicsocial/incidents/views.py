"""Incident pages (P14). Thin: permissions, a form, `services`."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from civicsocial.http import AuthedRequest
from civicsocial.incidents import report_pdf, services
from civicsocial.incidents.models import Incident, IncidentStatus, StepKind
from civicsocial.incidents.timeline import report_data, timeline
from civicsocial.registry.models import Account
from civicsocial.registry.permissions import Action, agencies_for, can, require, require_somewhere
from civicsocial.web import form_page, posted, visible_or_404


def incident_or_404(request: AuthedRequest, pk: int) -> Incident:
    """An incident on an account of an agency where the person may see incidents."""
    return get_object_or_404(Incident.objects.select_related("account__agency", "reported_by", "resolved_by")
                             .filter(account__agency__in=agencies_for(request.user, Action.REPORT_INCIDENT)),
                             pk=pk)


@login_required
def incident_list(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.REPORT_INCIDENT, "Your role does not include incidents.")
    agencies = agencies_for(request.user, Action.REPORT_INCIDENT)
    incidents = Incident.objects.filter(account__agency__in=agencies).select_related("account__agency")[:200]
    return render(request, "incidents/list.html", {"incidents": incidents})


class ReportForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=services.SUMMARY_MAX,
                              help_text="What was seen: a post nobody wrote, a changed password or "
                                        "recovery address, a login alert.")
    known_good_at = forms.DateTimeField(required=False, label="Last known-good moment",
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                        help_text="Everything the account posted or changed after this is "
                                                  "listed as evidence (default: 24 hours before now).")


@login_required
def incident_report(request: AuthedRequest, pk: int) -> HttpResponse:
    account = visible_or_404(request, Account.objects.select_related("agency"), pk=pk)
    require(request.user, Action.REPORT_INCIDENT, account.agency)
    form = ReportForm(posted(request))

    def save() -> Incident:
        return services.report(request.user, account, form.cleaned_data["summary"],
                               form.cleaned_data["known_good_at"])

    return form_page(request, form, f"Report a suspected compromise of {account}", save, "",
                     account.get_absolute_url(), submit="Report and freeze the account",
                     intro="The account is frozen at once: nothing is sent in its name (replies, 311 "
                           "referrals, moderation, publishing) until ODS lifts the freeze. Capture goes "
                           "on. ODS, NYC Cyber Command and City Hall's press office are told first, then "
                           "the agency's central contact (P14).")


@login_required
def incident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = incident_or_404(request, pk)
    return render(request, "incidents/detail.html", {
        "incident": incident, "timeline": timeline(incident), "live": incident.status in services.LIVE,
        "suspected": incident.status == IncidentStatus.SUSPECTED,
        "may_decide": can(request.user, Action.DECIDE_INCIDENT, incident.account.agency),
        "rotated": services.credentials_rotated(incident),
        "step_kinds": [(StepKind.PLATFORM_CONTACTED, StepKind.PLATFORM_CONTACTED.label),
                       (StepKind.NOTE, StepKind.NOTE.label)]})


@login_required
@require_POST
def incident_act(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a timeline line, or (ODS) confirm, resolve or dismiss."""
    incident = incident_or_404(request, pk)
    act, text = request.POST.get("act", ""), request.POST.get("text", "")
    try:
        if act in (StepKind.PLATFORM_CONTACTED, StepKind.NOTE):
            services.add_step(request.user, incident, act, text)
        elif act == "confirm":
            services.confirm(request.user, incident, text)
        elif act in ("resolve", "dismiss"):
            services.resolve(request.user, incident, text, dismiss=act == "dismiss")
        else:
            raise ValidationError("Unknown action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(incident)


@login_required
def incident_export(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    incident = incident_or_404(request, pk)
    data = report_data(incident)
    if kind == "json":
        answer = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    else:
        answer = HttpResponse(report_pdf.render(data), content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{incident.number}.{kind}"'
    return answer
