"""FOIL productions as background jobs (P27): the pages ask for one, the worker builds
it (records/production.py) and keeps its progress and outcome on the job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from civicsocial.duties import jobs
from civicsocial.records.models import FoilCase, ProductionJob
from civicsocial.records.production import export_case
from civicsocial.security import audit


def production_path(case: FoilCase) -> Path:
    """Where the pages keep a case's latest production."""
    return Path(settings.PRODUCTIONS_DIR) / f"{case.number}.zip"


def lease_name(job: ProductionJob) -> str:
    """One worker builds a case's production at a time."""
    return f"production:{job.case_id}"


def request_production(actor: Any, case: FoilCase) -> tuple[ProductionJob, bool]:
    """A job building the case's production: the one already queued or running, or a
    new one (True when new, and the caller queues it)."""
    active = case.production_jobs.filter(status__in=jobs.ACTIVE)
    return jobs.request(active, lease_name,
                        lambda: ProductionJob.objects.create(case=case, requested_by=actor))


def run_production_job(job_id: int) -> ProductionJob:
    """Build a job's production (in the worker), keeping its progress and outcome on the
    job for the pages. The zip replaces the previous one only once complete (the earlier
    one stays when the build fails or is cancelled)."""
    job = ProductionJob.objects.select_related("case").get(pk=job_id)

    def build(progress: jobs.Progress) -> dict[str, Any]:
        manifest = export_case(job.case, production_path(job.case), progress=progress)
        return {"manifest_sha256": manifest["manifest_sha256"]}

    return jobs.run(job, lease_name(job), build)


def cancel_production(actor: Any, case: FoilCase, reason: str = "") -> ProductionJob | None:
    """Cancel the case's active build: a queued one at once, a running one at the
    worker's next step (the earlier zip stays). None when nothing is being built."""
    job = case.production_jobs.filter(status__in=jobs.ACTIVE).first()
    if job is None:
        return None
    jobs.cancel(job)
    audit.record(actor, "foil.production_cancelled", case, agency_id=case.agency_id, reason=reason)
    return job


def resume_abandoned() -> list[int]:
    """Builds whose worker was killed: queued again, to be built from the start by the
    next worker (a zip half written is never kept). Returns the jobs to queue."""
    return jobs.resume_abandoned(ProductionJob.objects.all(), lease_name)
