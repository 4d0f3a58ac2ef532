"""Background jobs the pages start (issue 21): a FOIL production, a verification, an
import. One way to run them all:

- `request` gives the job already queued or running, or a new one (two clicks at once
  get one job: each model allows one active job per subject);
- `run` is the worker's side: it takes the job's lease, claims it (queued to running),
  calls the work with a `progress(done, total)` that keeps the figures for the pages,
  renews the lease and stops the work when someone cancelled; the outcome (done, failed
  with its message, cancelled) is kept on the job;
- `cancel` stops a queued job at once and a running one at its next step;
- `resume_abandoned` queues again the jobs whose worker was killed (their lease lapsed),
  so that the periodic duty starts them afresh (or, for an import, from its position).

Every step is one conditional UPDATE, so two workers running the same duty at once do
each job once (tested on PostgreSQL).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from civicsocial.duties.leases import Held, is_held, lease
from civicsocial.duties.models import BackgroundJob

logger = logging.getLogger(__name__)
# Renewed at each progress step; a worker killed mid-job holds its subject this long.
JOB_LEASE = timedelta(minutes=10)
STEPS = 100  # about this many progress updates a run

Job = TypeVar("Job", bound=BackgroundJob)
Progress = Callable[[int, int], None]
Work = Callable[[Progress], dict[str, Any]]
ACTIVE = [BackgroundJob.Status.QUEUED, BackgroundJob.Status.RUNNING]
# What a person running the work again by hand (the command line) may take over once it
# holds the lease: nobody else is doing it then.
RESUMABLE = [*ACTIVE, BackgroundJob.Status.FAILED, BackgroundJob.Status.CANCELLED]
RENEW_EVERY = 5.0  # seconds: progress steps renew the lease at least this often


class JobCancelled(Exception):
    """Someone cancelled the job; the work stops at its next progress step."""


class LeaseLost(Exception):
    """This worker stalled past its lease and the job was given to another: stop, and
    leave the job to it."""


def request(
    active: QuerySet[Job], lease_name: Callable[[Job], str], create: Callable[[], Job]
) -> tuple[Job, bool]:
    """The active job of a subject (`active`: its queued or running jobs), or a new one
    made by `create` (True when new: the caller queues it). A running job whose worker
    stopped (its lease lapsed) is marked failed first, so that asking again starts anew."""
    job = active.first()
    if job is not None and not _abandoned(job, lease_name(job)):
        return job, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:  # the other request made it a moment ago
        return active.get(), False


WORKER_STOPPED = "The worker running it stopped; asked again."


def _abandoned(job: BackgroundJob, lease_name: str, error: str = WORKER_STOPPED) -> bool:
    if job.status != job.Status.RUNNING or is_held(lease_name):
        return False
    return bool(
        type(job)
        ._default_manager.filter(pk=job.pk, status=job.Status.RUNNING)
        .update(status=job.Status.FAILED, finished_at=timezone.now(), error=error)
    )


def fail_abandoned(running: QuerySet[Job], lease_name: Callable[[Job], str], error: str) -> list[int]:
    """Of `running` jobs that no worker can take up (their process stopped: the lease
    lapsed), mark each failed with `error`, so no page shows it running for ever; returns
    them. Two workers at once mark each once."""
    return [job.pk for job in running.filter(status=BackgroundJob.Status.RUNNING)
            if _abandoned(job, lease_name(job), error)]


def run(
    job: Job,
    lease_name: str,
    work: Work,
    restart: bool = True,
    claim_from: Sequence[str] = (BackgroundJob.Status.QUEUED,),
) -> Job:
    """Do a job in this process under its lease, keeping progress and outcome on it.
    A second worker given the same job leaves it to the first; a job cancelled or
    finished meanwhile is left as it is. `restart`: the work starts from nothing (a
    production); otherwise it goes on from the job's `done` (an import). `claim_from`:
    the statuses it may be taken from (queued; the command line also takes over one
    whose process died, or that failed or was cancelled)."""
    model = type(job)
    with lease(lease_name, JOB_LEASE) as held:
        claim: dict[str, Any] = {"done": 0, "done_at_start": 0} if restart else {"done_at_start": F("done")}
        if held and model._default_manager.filter(pk=job.pk, status__in=claim_from).update(
            status=job.Status.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            error="",
            cancel_requested=False,
            finished_at=None,
            **claim,
        ):
            _run(job, held, work)
    job.refresh_from_db()
    return job


def _run(job: BackgroundJob, held: Held, work: Work) -> None:
    model = type(job)
    mine = model._default_manager.filter(pk=job.pk)
    last = {"done": -1, "at": time.monotonic()}

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or done - last["done"] >= max(1, total // STEPS) or now - last["at"] >= RENEW_EVERY:
            last.update(done=done, at=now)
            mine.update(done=done, total=total)
            if not held.renew():
                raise LeaseLost
            if done < total and mine.filter(cancel_requested=True).exists():
                raise JobCancelled

    try:
        outcome = work(progress)
    except LeaseLost:
        logger.warning("%s: the lease lapsed and another worker has it", job)
    except JobCancelled:
        mine.filter(status=job.Status.RUNNING).update(status=job.Status.CANCELLED, finished_at=timezone.now())
    except Exception as error:  # any failure is the job's outcome, shown in the pages
        logger.exception("%s failed", job)
        mine.update(
            status=job.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
    else:
        mine.update(status=job.Status.DONE, finished_at=timezone.now(), **outcome)


def cancel(job: BackgroundJob) -> None:
    """Cancel a job: a queued one at once, a running one at the worker's next step."""
    model = type(job)
    if not model._default_manager.filter(pk=job.pk, status=job.Status.QUEUED).update(
        status=job.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    ):
        model._default_manager.filter(pk=job.pk, status=job.Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()


def resume_abandoned(running: QuerySet[Job], lease_name: Callable[[Job], str]) -> list[int]:
    """Of `running` jobs, those whose worker was killed (their lease lapsed) are queued
    again (or, when cancelled meanwhile, marked cancelled); returns the requeued, for the
    caller to queue. Two workers at once requeue each once."""
    resumed = []
    for job in running.filter(status=BackgroundJob.Status.RUNNING):
        if is_held(lease_name(job)):
            continue
        mine = type(job)._default_manager.filter(pk=job.pk, status=job.Status.RUNNING)
        if job.cancel_requested:
            mine.update(status=job.Status.CANCELLED, finished_at=timezone.now())
        elif mine.update(status=job.Status.QUEUED):
            resumed.append(job.pk)
    return resumed
