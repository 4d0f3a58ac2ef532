"""`civicsocial archive import FILE.jsonl`: capture lines into the archive.

Batches of lines commit together with the job's position, so an import that is killed
resumes exactly where its last batch ended; re-running a finished file changes nothing.
A malformed line is reported with its line number and kept in a rejects file.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from civicsocial.duties import jobs
from civicsocial.records.archive import ArchiveResult, archive_captures
from civicsocial.records.bulk import collector_set_aside, refresh_statistics
from civicsocial.records.capture import Capture, CaptureError, parse_capture
from civicsocial.records.hashing import file_sha256
from civicsocial.records.models import ImportJob
from civicsocial.records.search.backends import compact_after_import

# Lines per batch (each commits with the job's position), by engine. SQLite: a batch holds
# the database's one write lock, which captures and pages wait for, so it stays short.
# PostgreSQL locks only the rows written, and each commit has its round trips and its
# deferred foreign-key checks: 100,000 lines' statements 7.8 -> 6.5 s at 10,000 (issue 21).
BATCH_LINES = {"sqlite": 2000, "postgresql": 10_000}
BATCH_BYTES = 16 << 20  # and at most this much of the file: captures with large payloads
# What each batch looks up: its items' rows (by stream and id) and versions (by item).
SEARCHED_WHILE_IMPORTING = ("records_archiveditem (stream_id, platform_id)", "records_itemversion (item_id)")
Progress = jobs.Progress  # bytes done, of the file's


def lease_name(job: ImportJob) -> str:
    """One process imports a file (by content) at a time: a worker or the command line."""
    return f"import:{job.file_sha256}"


def job_for(path: Path, **fields: Any) -> ImportJob:
    """The import job of this file's content: a new one (queued), or the one to resume
    or skip."""
    digest = file_sha256(path)
    job = ImportJob.objects.filter(file_sha256=digest).order_by("-pk").first()
    if job is None:
        job = ImportJob.objects.create(path=str(path), file_sha256=digest,
                                       total=path.stat().st_size, **fields)
    return job


def import_file(path: Path, rejects_path: Path, progress: Progress | None = None,
                job: ImportJob | None = None) -> ImportJob:
    """Import (or resume importing) a capture file here, in this process (the command
    line). Returns the job with its counts and outcome: failed (with its error) when the
    file could not be read, cancelled when someone cancelled it in the pages, running
    when another process is importing the same file."""
    job = job or job_for(path)
    if job.status == ImportJob.Status.DONE:
        return job
    return jobs.run(job, lease_name(job), lambda step: _import(job, path, rejects_path, step, progress),
                    restart=False, claim_from=jobs.RESUMABLE)


def _import(job: ImportJob, path: Path, rejects_path: Path, step: Progress,
            shown: Progress | None = None) -> dict[str, Any]:
    def progress(done: int, total: int) -> None:
        if shown:
            shown(done, total)
        step(done, total)

    import_lines(job, path, rejects_path, progress)
    return {}


def _parse(first_line: int, lines: list[bytes]) -> tuple[list[Capture], list[str]]:
    """The captures of these lines (numbered from `first_line`), and each malformed line
    as its rejects-file entry (its number, the reason and the text, as a JSON line)."""
    captures: list[Capture] = []
    rejects: list[str] = []
    for line_no, raw in enumerate(lines, first_line):
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        try:
            captures.append(parse_capture(text))
        except CaptureError as error:
            rejects.append(json.dumps({"line": line_no, "error": str(error), "text": text[:10000]},
                                      ensure_ascii=False) + "\n")
    return captures, rejects


def _batches(handle: BinaryIO, line_no: int) -> Iterator[tuple[int, list[bytes], int, int]]:
    """The file's lines from here, a batch at a time (BATCH_LINES, BATCH_BYTES): each
    batch's first line's number, its lines, its last line's number and its size in bytes."""
    most = BATCH_LINES[connection.vendor]
    while True:
        lines: list[bytes] = []
        size = 0
        while len(lines) < most and size < BATCH_BYTES and (raw := handle.readline()):
            lines.append(raw)
            size += len(raw)
        if not lines:
            return
        yield line_no + 1, lines, line_no + len(lines), size
        line_no += len(lines)


def _parsed(handle: BinaryIO, line_no: int) -> Generator[tuple[list[Capture], list[str], int, int]]:
    """Each batch of lines parsed: its captures, its rejects-file entries, its last
    line's number and its size in bytes, in order.

    On PostgreSQL a thread parses the next batch while the last one is archived (issue
    21): the import mostly waits for the server, a process of its own, and parsing (a
    quarter of the import's Python work) runs meanwhile: 2,850 -> 3,800 lines/s. Not on
    SQLite: its writes run in this process and hand Python's lock back and forth row by
    row, and the thread made the import slower (5,300 -> 4,300 lines/s)."""
    batches = _batches(handle, line_no)
    if connection.vendor != "postgresql":
        for first, lines, last, size in batches:
            yield (*_parse(first, lines), last, size)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="import-parsing") as parser:
        waiting: tuple[Future[tuple[list[Capture], list[str]]], int, int] | None = None
        for first, lines, last, size in batches:
            following = parser.submit(_parse, first, lines), last, size
            if waiting is not None:
                yield (*waiting[0].result(), waiting[1], waiting[2])
            waiting = following
        if waiting is not None:
            yield (*waiting[0].result(), waiting[1], waiting[2])


def _commit(job: ImportJob, batch: list[Capture], lines: int, offset: int,
            rejects: int, result: ArchiveResult) -> None:
    with transaction.atomic():
        batch_result = archive_captures(batch)
        result.add(batch_result)
        counts = dict(job.counts)
        for key, value in batch_result.counts.items():
            counts[key] = counts.get(key, 0) + value
        job.counts = counts
        job.lines_done, job.done, job.rejected = lines, offset, rejects
        job.updated_at = timezone.now()
        # Only the position: a cancellation asked for meanwhile must not be overwritten.
        job.save(update_fields=["counts", "lines_done", "done", "rejected", "updated_at"])


def import_lines(job: ImportJob, path: Path, rejects_path: Path, progress: Progress) -> None:
    """Import a capture file from the job's position, a batch of lines at a time, each
    committed with the new position; malformed lines go to the rejects file."""
    result = ArchiveResult()
    line_no, offset, rejects, total = job.lines_done, job.done, job.rejected, job.total
    analyzed = max(line_no, BATCH_LINES[connection.vendor])
    with (collector_set_aside(), path.open("rb") as handle,
          rejects_path.open("a", encoding="utf-8") as rejected):
        handle.seek(offset)
        progress(offset, total)
        with closing(_parsed(handle, line_no)) as batches:
            for captures, bad, line_no, size in batches:
                offset += size
                rejects += len(bad)
                rejected.writelines(bad)
                rejected.flush()
                _commit(job, captures, line_no, offset, rejects, result)
                progress(offset, total)
                if line_no >= analyzed * 2:  # at 4,000 lines, 8,000, ...: a few times an import
                    refresh_statistics(SEARCHED_WHILE_IMPORTING)
                    analyzed = line_no
    compact_after_import(sum(n for change, n in job.counts.items() if change != "unchanged"))
    progress(offset, total)
