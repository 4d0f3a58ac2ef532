"""The API of the archive's background jobs (issue 21): imports and verifications, as the
pages start, show and cancel them (records/job_views.py). A job's figures: `job_data`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import File, Router, Status
from ninja.files import UploadedFile

from civicsocial.duties.models import BackgroundJob
from civicsocial.http import AuthedRequest
from civicsocial.records import import_jobs, verification_jobs
from civicsocial.records.job_views import require_ods, verification_or_404
from civicsocial.records.models import ImportJob, ProductionJob, VerificationJob
from civicsocial.records.tasks import import_upload, run_verification
from civicsocial.records.views import case_or_404

router = Router(tags=["archive jobs"])


def job_data(job: BackgroundJob | None) -> dict[str, Any] | None:
    """A job as its page shows it: state, progress (done of total, a second, time left)
    and what it is or found."""
    if job is None:
        return None
    data = {
        "id": job.pk,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "per_second": round(job.rate, 1) if job.rate else None,
        "seconds_left": job.seconds_left,
        "requested_at": job.requested_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "error": job.error,
    }
    if isinstance(job, ProductionJob):
        data.update(unit="items", manifest_sha256=job.manifest_sha256 or None)
    elif isinstance(job, ImportJob):
        data.update(
            unit="bytes",
            file=job.path,
            sha256=job.file_sha256,
            lines=job.lines_done,
            counts=job.counts,
            rejected=job.rejected,
        )
    elif isinstance(job, VerificationJob):
        data.update(
            unit="files" if job.case_id else "versions",
            kind=job.kind,
            case=job.case.number if job.case else None,
            ok=job.ok,
            report=job.report,
        )
    return data


@router.get("/archive/imports")
def list_imports(request: AuthedRequest) -> list[dict[str, Any] | None]:
    """The latest 50 imports, newest first (ODS)."""
    require_ods(request, "Imports")
    return [job_data(job) for job in ImportJob.objects.order_by("-requested_at", "-pk")[:50]]


@router.post("/archive/imports", response={202: dict[str, Any]})
def start_import(request: AuthedRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Upload a capture file (JSON lines) for the worker to import (ODS). The same
    content uploaded again is the same import (`new` false)."""
    require_ods(request, "Imports")
    job, new = import_jobs.request_import(request.user, file)
    if new:
        import_upload(job.pk)
        job.refresh_from_db()  # the worker may have begun (or, inline, finished) it
    return Status(202, {**(job_data(job) or {}), "new": new})


@router.get("/archive/imports/{job_id}")
def get_import(request: AuthedRequest, job_id: int) -> dict[str, Any] | None:
    require_ods(request, "Imports")
    return job_data(get_object_or_404(ImportJob, pk=job_id))


@router.post("/archive/imports/{job_id}/cancel")
def cancel_import(request: AuthedRequest, job_id: int) -> dict[str, Any] | None:
    """Stop an import; what it committed stays, and uploading the file again goes on."""
    require_ods(request, "Imports")
    job = get_object_or_404(ImportJob, pk=job_id)
    if not job.active:
        raise ValidationError({"import": "This import is not running."})
    import_jobs.cancel_import(request.user, job)
    return job_data(job)


@router.get("/archive/verifications")
def list_verifications(request: AuthedRequest) -> list[dict[str, Any] | None]:
    """The latest 50 checks of the archive and of productions, newest first (ODS)."""
    require_ods(request, "Checks of the whole archive")
    return [job_data(job) for job in VerificationJob.objects.select_related("case")[:50]]


@router.post("/archive/verifications", response={202: dict[str, Any]})
def start_archive_verification(request: AuthedRequest) -> Status[dict[str, Any]]:
    """Check every chain, seal and seal time-stamp in the worker (ODS)."""
    require_ods(request, "Checks of the whole archive")
    return _started(*verification_jobs.request_verification(request.user))


@router.post("/foil/{case_id}/verification", response={202: dict[str, Any]})
def start_production_verification(request: AuthedRequest, case_id: int) -> Status[dict[str, Any]]:
    """Check the case's latest production in the worker."""
    return _started(*verification_jobs.request_verification(request.user, case_or_404(request, case_id)))


def _started(job: VerificationJob, new: bool) -> Status[dict[str, Any]]:
    if new:
        run_verification(job.pk)
        job.refresh_from_db()
    return Status(202, {**(job_data(job) or {}), "new": new})


@router.get("/archive/verifications/{job_id}")
def get_verification(request: AuthedRequest, job_id: int) -> dict[str, Any] | None:
    return job_data(verification_or_404(request, job_id))


@router.post("/archive/verifications/{job_id}/cancel")
def cancel_verification(request: AuthedRequest, job_id: int) -> dict[str, Any] | None:
    """Stop a check under way."""
    job = verification_or_404(request, job_id)
    if not job.active:
        raise ValidationError({"verification": "This check is not running."})
    verification_jobs.cancel_verification(request.user, job)
    return job_data(job)
