"""Imports started from the pages (issue 21): a capture file uploaded to the imports page
is kept under IMPORTS_DIR, named by its SHA-256, until the worker has imported it as a job
(records/importer.py does the lines; duties/jobs.py the progress, cancelling and
resuming). A killed worker's import is taken up by the next from its last committed
batch; the same file uploaded twice is one import."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from civicsocial.duties import jobs
from civicsocial.records.importer import import_lines, lease_name
from civicsocial.records.models import ImportJob
from civicsocial.security import audit

ImportJobs = ImportJob.objects


def _safe_name(name: str) -> str:
    """A file name that is only letters, digits, dots, dashes and underscores."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "captures"
    return stem[-100:]


def _keep(upload: UploadedFile) -> tuple[Path, str]:
    """Write the upload under IMPORTS_DIR, hashing it as it goes; the file appears under
    its final name only once complete."""
    folder = Path(settings.IMPORTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".incoming-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    kept = folder / f"{sha[:16]}-{_safe_name(upload.name or '')}"
    partial.replace(kept)
    return kept, sha


def request_import(actor: Any, upload: UploadedFile) -> tuple[ImportJob, bool]:
    """Keep an uploaded capture file and a job importing it: a new one, the one already
    queued or running for the same content, or (failed or cancelled before) the same
    one queued again to go on from where it stopped. True when the caller must queue it.
    A file imported before is not imported again (the job says so)."""
    if not upload.size:
        raise ValidationError("The file is empty.")
    if upload.size > settings.IMPORT_UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"The file is {upload.size:,} bytes; the most the imports page takes is "
            f"{settings.IMPORT_UPLOAD_MAX_BYTES:,} (use `civicsocial archive import`)."
        )
    path, sha = _keep(upload)
    earlier = ImportJobs.filter(file_sha256=sha).order_by("-pk").first()
    if earlier is not None:
        stopped = [ImportJob.Status.FAILED, ImportJob.Status.CANCELLED]
        again = ImportJobs.filter(pk=earlier.pk, status__in=stopped)
        queued = bool(
            again.update(
                status=ImportJob.Status.QUEUED,
                path=str(path),
                uploaded=True,
                cancel_requested=False,
                finished_at=None,
                requested_by=actor,
                requested_at=timezone.now(),
            )
        )
        earlier.refresh_from_db()
        if earlier.path != str(path) or earlier.status == ImportJob.Status.DONE:
            path.unlink(missing_ok=True)  # this content is kept (or imported) already
        return earlier, queued
    job, new = jobs.request(
        ImportJobs.filter(file_sha256=sha, status__in=jobs.ACTIVE),
        lease_name,
        lambda: ImportJobs.create(
            path=str(path), file_sha256=sha, total=upload.size or 0, uploaded=True, requested_by=actor
        ),
    )
    if new:
        audit.record(
            actor,
            "archive.import_requested",
            job,
            changes={"file": [None, upload.name or ""], "sha256": [None, sha], "bytes": [None, upload.size]},
        )
    return job, new


def run_import_job(job_id: int) -> ImportJob:
    """Import an uploaded file (in the worker), from the job's position."""
    job = ImportJobs.get(pk=job_id)
    path = Path(job.path)
    rejects = path.with_name(path.name + ".rejects.jsonl")

    def work(progress: jobs.Progress) -> dict[str, Any]:
        import_lines(job, path, rejects, progress)
        return {}

    job = jobs.run(job, lease_name(job), work, restart=False)
    if job.status == ImportJob.Status.DONE:
        # Every line is in the archive, raw payload included: the upload's copy is not
        # needed again (its rejected lines stay beside it, for whoever mends them).
        path.unlink(missing_ok=True)
    return job


def cancel_import(actor: Any, job: ImportJob) -> None:
    """Stop an import: what it committed stays, and uploading the file again (or
    `civicsocial archive import`) goes on from there."""
    jobs.cancel(job)
    audit.record(actor, "archive.import_cancelled", job)


STOPPED_ON_THE_COMMAND_LINE = ("The command importing it stopped. Run `civicsocial archive import` on the "
                              "file again: it goes on from the last batch committed.")


def resume_abandoned() -> list[int]:
    """Uploaded imports whose worker was killed: queued again, to go on from their last
    committed batch. An import from the command line whose process died is marked failed,
    with how to go on (the worker may not see its file): running it again resumes it."""
    jobs.fail_abandoned(ImportJobs.filter(uploaded=False), lease_name, STOPPED_ON_THE_COMMAND_LINE)
    return jobs.resume_abandoned(ImportJobs.filter(uploaded=True), lease_name)
