"""Background duties of the archive, run by the Huey worker (`civicsocial worker`)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from civicsocial.records.production_jobs import run_production_job


@db_task()
def build_production(job_id: int) -> None:
    """Build a FOIL production (see production_jobs.run_production_job)."""
    run_production_job(job_id)
