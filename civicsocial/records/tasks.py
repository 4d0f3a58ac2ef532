"""Background duties of the archive, run by the Huey worker (`civicsocial worker`)."""

from __future__ import annotations

from collections import Counter

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from civicsocial.duties.leases import one_at_a_time
from civicsocial.records.announce import announce
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.integrity import seal_days
from civicsocial.records.seal_stamps import timestamp_seals
from civicsocial.records.search.backends import compact_index


@db_task()
def build_production(job_id: int) -> None:
    """Build a FOIL production (see production_jobs.run_production_job)."""
    from civicsocial.records.production_jobs import run_production_job  # the PDF and signing libraries

    run_production_job(job_id)


@db_task()
def import_upload(job_id: int) -> None:
    """Import a file uploaded to the imports page (import_jobs.run_import_job)."""
    from civicsocial.records.import_jobs import run_import_job

    run_import_job(job_id)


@db_task()
def run_verification(job_id: int) -> None:
    """Check the archive or a production (verification_jobs.run_verification_job)."""
    from civicsocial.records.verification_jobs import run_verification_job

    run_verification_job(job_id)


@db_periodic_task(crontab(minute="*"))
@one_at_a_time("resume-background-jobs")
def resume_background_jobs() -> None:
    """Productions, imports and verifications whose worker was killed start again on
    another worker within a minute (duties/jobs.resume_abandoned): a production or a
    verification from the start, an import from its last committed batch."""
    from civicsocial.records import import_jobs, production_jobs, verification_jobs

    for job_id in production_jobs.resume_abandoned():
        build_production(job_id)
    for job_id in import_jobs.resume_abandoned():
        import_upload(job_id)
    for job_id in verification_jobs.resume_abandoned():
        run_verification(job_id)


@db_task()
def announce_archived(counts: dict[str, int], new_items: list[int], changed_items: list[int]) -> None:
    """Tell the receivers (triage, the branding audit) what a queued capture batch archived
    (announce.announce_queued)."""
    announce(ArchiveResult(Counter(counts), new_items, changed_items))


@db_periodic_task(crontab(hour="*", minute="7"))
@one_at_a_time("seal-days")
def seal_complete_days() -> None:
    """Seal each stream's complete days (hourly, so a day is sealed soon after it ends,
    and a missed run is made up; sealing twice seals nothing twice), then have the
    authority time-stamp each new seal (issue 21; an authority down is tried next hour)."""
    seal_days()
    timestamp_seals()


@db_periodic_task(crontab(hour="3", minute="37"))
@one_at_a_time("compact-search-index")
def compact_search_index() -> None:
    """Compact the search index at night (search/backends.compact_index): the day's
    captures, removals and edits leave it in pieces that every search reads past."""
    compact_index()
