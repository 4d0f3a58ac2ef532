"""Pages of the archive's background jobs (issue 21): imports uploaded for the worker,
and verifications of the archive or of a case's production. Thin: permissions, a service
call (import_jobs, verification_jobs), a queued task."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat

from civicsocial.http import AuthedRequest
from civicsocial.records import import_jobs, verification_jobs
from civicsocial.records.models import ImportJob, VerificationJob
from civicsocial.records.tasks import import_upload, run_verification
from civicsocial.records.views import case_or_404
from civicsocial.registry.permissions import Action, can


def require_ods(request: AuthedRequest, what: str) -> None:
    """Imports and the whole archive's checks span agencies: the operator's (ODS; a
    token only when its scope names the action)."""
    if not can(request.user, Action.MANAGE_ARCHIVE):
        raise PermissionDenied(f"{what} are the operator's: ODS only.")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Capture file (JSON lines)",
        help_text="One capture per line, as `civicsocial archive import` takes.",
    )


@login_required
def import_jobs_page(request: AuthedRequest) -> HttpResponse:
    require_ods(request, "Imports")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job, new = import_jobs.request_import(request.user, form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if new:
                import_upload(job.pk)
            messages.info(request, _import_message(job, new))
            return redirect("archive-imports")
    jobs = list(ImportJob.objects.order_by("-requested_at", "-pk")[:50])
    return render(
        request, "records/imports.html", {"jobs": jobs, "form": form, "active": any(j.active for j in jobs)}
    )


def _import_message(job: ImportJob, new: bool) -> str:
    if new:
        return f"Queued: the worker imports {filesizeformat(job.total)} from {job.path}."
    if job.status == ImportJob.Status.DONE:
        return "This file (the same content) was imported before; nothing changed."
    return "This file is being imported already."


@login_required
def import_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    require_ods(request, "Imports")
    job = get_object_or_404(ImportJob, pk=pk)
    if request.method == "POST":
        if job.active:
            import_jobs.cancel_import(request.user, job)
        else:
            messages.error(request, "This import is not running.")
    return redirect("archive-imports")


@login_required
def verifications_page(request: AuthedRequest) -> HttpResponse:
    require_ods(request, "Checks of the whole archive")
    if request.method == "POST":
        job, new = verification_jobs.request_verification(request.user)
        if new:
            run_verification(job.pk)
        return redirect("archive-verifications")
    jobs = list(VerificationJob.objects.select_related("case", "requested_by")[:50])
    return render(
        request, "records/verifications.html", {"jobs": jobs, "active": any(j.active for j in jobs)}
    )


@login_required
def case_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check the case's latest production in the worker."""
    case = case_or_404(request, pk)
    if request.method == "POST":
        job, new = verification_jobs.request_verification(request.user, case)
        if new:
            run_verification(job.pk)
    return redirect("foil-case", pk)


def verification_or_404(request: AuthedRequest, pk: int) -> VerificationJob:
    """A check this person may see: a production's, whoever may see its case (another
    agency's: 404); the whole archive's, ODS."""
    job = get_object_or_404(VerificationJob.objects.select_related("case"), pk=pk)
    if job.case_id:
        case_or_404(request, job.case_id)
    else:
        require_ods(request, "Checks of the whole archive")
    return job


@login_required
def verification_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = verification_or_404(request, pk)
    if request.method == "POST":
        if job.active:
            verification_jobs.cancel_verification(request.user, job)
        else:
            messages.error(request, "This check is not running.")
    return redirect("foil-case", job.case_id) if job.case_id else redirect("archive-verifications")
