"""FOIL productions as background jobs (P27): the pages ask for one, the worker builds
it (records/production.py) and keeps its progress and outcome on the job."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civicsocial.duties.leases import Held, is_held, lease
from civicsocial.records.models import FoilCase, ProductionJob
from civicsocial.records.production import export_case
from civicsocial.security import audit

logger = logging.getLogger(__name__)
# Renewed at each progress step; a worker killed mid-build holds the case this long.
PRODUCTION_LEASE = timedelta(minutes=10)


def production_path(case: FoilCase) -> Path:
    """Where the pages keep a case's latest production."""
    return Path(settings.PRODUCTIONS_DIR) / f"{case.number}.zip"


def request_production(actor: Any, case: FoilCase) -> tuple[ProductionJob, bool]:
    """A job building the case's production: the one already queued or running, or a
    new one (True when new, and the caller queues it). Two requests at once get one job:
    the database allows one active job per case."""
    active = case.production_jobs.filter(
        status__in=[ProductionJob.Status.QUEUED, ProductionJob.Status.RUNNING])
    job = active.first()
    if job is not None and not _abandoned(job):
        return job, False
    try:
        with transaction.atomic():
            return ProductionJob.objects.create(case=case, requested_by=actor), True
    except IntegrityError:  # the other request made it a moment ago
        return active.get(), False


def _abandoned(job: ProductionJob) -> bool:
    """A running job whose worker stopped (its lease lapsed): marked failed, so that
    asking again starts a new one."""
    if job.status != ProductionJob.Status.RUNNING or is_held(f"production:{job.case_id}"):
        return False
    return bool(ProductionJob.objects.filter(pk=job.pk, status=ProductionJob.Status.RUNNING).update(
        status=ProductionJob.Status.FAILED, finished_at=timezone.now(),
        error="The worker building it stopped; asked again."))


def run_production_job(job_id: int) -> ProductionJob:
    """Build a job's production (in the worker), keeping its progress and outcome on the
    job for the pages. The zip replaces the previous one only once complete. One worker
    builds a case's production at a time (its lease, renewed as it goes); a second worker
    given the same job leaves it to the first, and a job cancelled or finished meanwhile
    is left as it is."""
    job = ProductionJob.objects.select_related("case").get(pk=job_id)
    with lease(f"production:{job.case_id}", PRODUCTION_LEASE) as held:
        if held and ProductionJob.objects.filter(pk=job.pk, status=ProductionJob.Status.QUEUED).update(
                status=ProductionJob.Status.RUNNING, started_at=timezone.now(), done=0,
                attempts=F("attempts") + 1):
            _build(job, held)
    job.refresh_from_db()
    return job


class ProductionCancelled(Exception):
    """Someone cancelled the build; the worker stops at its next step."""


def _build(job: ProductionJob, held: Held) -> None:
    def progress(done: int, total: int) -> None:
        if done % max(1, total // 100) == 0 or done == total:  # about a hundred updates
            ProductionJob.objects.filter(pk=job.pk).update(done=done, total=total)
            held.renew()
            if ProductionJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
                raise ProductionCancelled

    try:  # export_case replaces the previous zip only once the new one is complete
        manifest = export_case(job.case, production_path(job.case), progress=progress)
    except ProductionCancelled:
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.CANCELLED, finished_at=timezone.now())
    except Exception as error:  # any failure is the job's outcome, shown in the pages
        logger.exception("production of %s failed", job.case.number)
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now())
    else:
        ProductionJob.objects.filter(pk=job.pk).update(
            status=ProductionJob.Status.DONE, manifest_sha256=manifest["manifest_sha256"],
            finished_at=timezone.now())


def cancel_production(actor: Any, case: FoilCase, reason: str = "") -> ProductionJob | None:
    """Cancel the case's active build: a queued one at once, a running one at the
    worker's next step (the earlier zip stays). None when nothing is being built."""
    job = case.production_jobs.filter(status__in=[ProductionJob.Status.QUEUED,
                                                  ProductionJob.Status.RUNNING]).first()
    if job is None:
        return None
    if not ProductionJob.objects.filter(pk=job.pk, status=ProductionJob.Status.QUEUED).update(
            status=ProductionJob.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()):
        ProductionJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    audit.record(actor, "foil.production_cancelled", case, agency_id=case.agency_id, reason=reason)
    job.refresh_from_db()
    return job


def resume_abandoned() -> list[int]:
    """Builds whose worker was killed (running, their lease lapsed): queued again, to be
    built from the start by the next worker (a zip half written is never kept). Returns
    the jobs to queue; two workers at once requeue each job once."""
    resumed = []
    for job in ProductionJob.objects.filter(status=ProductionJob.Status.RUNNING, cancel_requested=False):
        if not is_held(f"production:{job.case_id}") and ProductionJob.objects.filter(
                pk=job.pk, status=ProductionJob.Status.RUNNING).update(status=ProductionJob.Status.QUEUED):
            resumed.append(job.pk)
    return resumed
