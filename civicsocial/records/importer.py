"""`civicsocial archive import FILE.jsonl`: capture lines into the archive.

Batches of lines commit together with the job's position, so an import that is killed
resumes exactly where its last batch ended; re-running a finished file changes nothing.
A malformed line is reported with its line number and kept in a rejects file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from civicsocial.records.archive import ArchiveResult, archive_captures
from civicsocial.records.capture import Capture, CaptureError, parse_capture
from civicsocial.records.hashing import file_sha256
from civicsocial.records.models import ImportJob

BATCH_LINES = 2000
Progress = Callable[[int], None]


def job_for(path: Path) -> ImportJob:
    """The import job of this file's content: a new one, or the one to resume or skip."""
    digest = file_sha256(path)
    job = ImportJob.objects.filter(file_sha256=digest).order_by("-pk").first()
    if job is None:
        job = ImportJob.objects.create(path=str(path), file_sha256=digest,
                                       total_bytes=path.stat().st_size)
    return job


def _commit(job: ImportJob, batch: list[Capture], lines: int, offset: int,
            rejects: int, result: ArchiveResult) -> None:
    with transaction.atomic():
        batch_result = archive_captures(batch)
        result.add(batch_result)
        counts = dict(job.counts)
        for key, value in batch_result.counts.items():
            counts[key] = counts.get(key, 0) + value
        job.counts = counts
        job.lines_done, job.bytes_done, job.rejected = lines, offset, rejects
        job.updated_at = timezone.now()
        job.save()


def import_file(path: Path, rejects_path: Path, progress: Progress | None = None,
                job: ImportJob | None = None) -> ImportJob:
    """Import (or resume importing) a capture file. Returns the job with its counts."""
    job = job or job_for(path)
    if job.status == ImportJob.Status.DONE:
        return job
    result = ArchiveResult()
    batch: list[Capture] = []
    line_no, offset, rejects = job.lines_done, job.bytes_done, job.rejected
    with path.open("rb") as handle, rejects_path.open("a", encoding="utf-8") as rejected:
        handle.seek(offset)
        if progress:
            progress(offset)
        for raw in handle:
            line_no += 1
            offset += len(raw)
            text = raw.decode("utf-8", errors="replace").strip()
            if text:
                try:
                    batch.append(parse_capture(text))
                except CaptureError as error:
                    rejects += 1
                    rejected.write(json.dumps({"line": line_no, "error": str(error),
                                               "text": text[:10000]}, ensure_ascii=False) + "\n")
            if len(batch) >= BATCH_LINES:
                rejected.flush()
                _commit(job, batch, line_no, offset, rejects, result)
                batch = []
                if progress:
                    progress(offset)
        rejected.flush()
        _commit(job, batch, line_no, offset, rejects, result)
    job.status = ImportJob.Status.DONE
    job.save(update_fields=["status"])
    if progress:
        progress(offset)
    return job
