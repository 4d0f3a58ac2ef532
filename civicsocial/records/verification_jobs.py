"""Verifications started from the pages (issue 21, P27): the whole archive, or a case's
latest production, checked in the worker as `civicsocial archive verify` and `civicsocial
foil verify-production` check them, against the roots the city trusts
(CIVICSOCIAL_EVIDENCE_TRUST). Progress, cancelling and resuming: duties/jobs.py."""

from __future__ import annotations

from typing import Any

from civicsocial.duties import jobs
from civicsocial.records.models import FoilCase, VerificationJob
from civicsocial.security import audit

Verifications = VerificationJob.objects


def lease_name(job: VerificationJob) -> str:
    """One check of a subject at a time."""
    return f"verification:{job.case_id}" if job.case_id else "verification:archive"


def request_verification(actor: Any, case: FoilCase | None = None) -> tuple[VerificationJob, bool]:
    """A job checking the archive (no case) or the case's latest production: the one
    already queued or running, or a new one (True when new: the caller queues it)."""
    kind = VerificationJob.Kind.PRODUCTION if case else VerificationJob.Kind.ARCHIVE
    active = Verifications.filter(kind=kind, case=case, status__in=jobs.ACTIVE)
    job, new = jobs.request(
        active, lease_name, lambda: Verifications.create(kind=kind, case=case, requested_by=actor)
    )
    if new:
        audit.record(
            actor, "records.verification_requested", case or job, agency_id=case.agency_id if case else None
        )
    return job, new


def run_verification_job(job_id: int) -> VerificationJob:
    """Check (in the worker) what the job names, keeping the report on the job."""
    job = Verifications.select_related("case").get(pk=job_id)
    work = _check_production if job.case_id else _check_archive
    return jobs.run(job, lease_name(job), lambda progress: work(job, progress))


# The checking code (and its signing libraries) is imported when a check runs, not when
# a worker starts.
def _check_archive(job: VerificationJob, progress: jobs.Progress) -> dict[str, Any]:
    from civicsocial.records.evidence import trust_roots
    from civicsocial.records.integrity import verify

    report = verify(progress=progress, roots=trust_roots())
    return {
        "ok": report.ok,
        "report": {
            "problems": report.problems,
            "notes": report.notes,
            "versions": report.checked,
            "stamps_checked": report.stamps_checked,
            "stamps_waiting": report.stamps_waiting,
        },
    }


def _check_production(job: VerificationJob, progress: jobs.Progress) -> dict[str, Any]:
    from civicsocial.records.evidence import trust_roots
    from civicsocial.records.integrity import export_seals
    from civicsocial.records.production_check import verify_production
    from civicsocial.records.production_jobs import production_path

    case = job.case
    path = production_path(case) if case else None
    if case is None or path is None or not path.is_file():
        return {"ok": False, "report": {"problems": ["The case has no production yet: build one first."]}}
    # Its seal roots are checked against the archive's own seals, as a requester would
    # check them against seals the city published.
    check = verify_production(path, export_seals(), trust_roots(), progress=progress)
    return {
        "ok": check.ok,
        "report": {
            "problems": check.problems,
            "notes": check.notes,
            "files": check.files,
            "versions": check.versions,
            "manifest_sha256": check.manifest_sha256,
            "signer": check.signer,
            "signed_pdfs": check.signed_pdfs,
            "timestamped_at": check.timestamped_at.isoformat() if check.timestamped_at else None,
        },
    }


def cancel_verification(actor: Any, job: VerificationJob) -> None:
    """Stop a check: a queued one at once, a running one at its next step."""
    jobs.cancel(job)
    audit.record(
        actor,
        "records.verification_cancelled",
        job.case or job,
        agency_id=job.case.agency_id if job.case else None,
    )


def resume_abandoned() -> list[int]:
    """Checks whose worker was killed: queued again, to run from the start."""
    return jobs.resume_abandoned(Verifications.all(), lease_name)
