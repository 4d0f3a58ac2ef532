"""FOIL productions as background jobs (P27): the pages ask for one, the worker builds
it (records/production.py) and keeps its progress and outcome on the job."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from civicsocial.records.models import FoilCase, ProductionJob
from civicsocial.records.production import export_case

logger = logging.getLogger(__name__)


def production_path(case: FoilCase) -> Path:
    """Where the pages keep a case's latest production."""
    return Path(settings.PRODUCTIONS_DIR) / f"{case.number}.zip"


def request_production(actor: Any, case: FoilCase) -> tuple[ProductionJob, bool]:
    """A job building the case's production: the one already queued or running, or a
    new one (True when new, and the caller queues it)."""
    job = case.production_jobs.filter(
        status__in=[ProductionJob.Status.QUEUED, ProductionJob.Status.RUNNING]).first()
    if job is not None:
        return job, False
    return ProductionJob.objects.create(case=case, requested_by=actor), True


def run_production_job(job_id: int) -> ProductionJob:
    """Build a job's production (in the worker), keeping its progress and outcome on the
    job for the pages. The zip replaces the previous one only once complete."""
    job = ProductionJob.objects.select_related("case").get(pk=job_id)
    ProductionJob.objects.filter(pk=job.pk).update(status=ProductionJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        if done % max(1, total // 100) == 0 or done == total:  # about a hundred updates
            ProductionJob.objects.filter(pk=job.pk).update(done=done, total=total)

    final = production_path(job.case)
    partial = final.with_suffix(".partial")
    try:
        manifest = export_case(job.case, partial, progress=progress)
    except Exception as error:  # any failure is the job's outcome, shown in the pages
        logger.exception("production of %s failed", job.case.number)
        with contextlib.suppress(OSError):  # the directory itself may be what failed
            partial.unlink(missing_ok=True)
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now())
    else:
        partial.replace(final)
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.DONE, manifest_sha256=manifest["manifest_sha256"],
            finished_at=timezone.now())
    job.refresh_from_db()
    return job
