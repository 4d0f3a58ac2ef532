"""A production's threads drawn as signed PDFs and as pages (issue 21), in parallel
processes when the production is big enough to pay for starting them.

The main process keeps reading the archive and writing the WARC while the processes
draw and sign one account's threads; their results come back in order and go into the
zip as the next account is read, so at most two accounts' threads are in flight.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from civicsocial.records import drawing_process, evidence
from civicsocial.records.thread_html import render_thread_html
from civicsocial.records.threads import Item, ThreadPdf, render_thread_pdf, thread_order


@dataclass
class ThreadFiles:
    name: str  # threads/<name>.pdf in the zip, <name>.html in the WACZ
    title: str
    pdf: ThreadPdf  # signed where the city signs
    html: bytes
    captured_at: str  # the thread's latest capture


Thread = tuple[str, str, str, str, dict[str, tuple[Item, list[dict[str, Any]]]], dict[str, list[str]]]


def account_threads(
    case_number: str,
    platform: str,
    handle: str,
    entries: list[tuple[Item, list[dict[str, Any]]]],
    parents: dict[str, str],
) -> list[Thread]:
    """One account's threads: each root (an item whose parent is not in the production)
    with the items under it."""
    by_id = {item.platform_id: (item, versions) for item, versions in entries}
    children: dict[str, list[str]] = defaultdict(list)
    roots = []
    for platform_id in by_id:
        parent = parents.get(platform_id)
        if parent in by_id:
            children[parent].append(platform_id)
        else:
            roots.append(platform_id)
    return [(case_number, platform, handle, root, by_id, children) for root in roots]


def draw(thread: Thread, signing: evidence.Signing | None) -> ThreadFiles:
    """A thread's PDF (signed when `signing`) and page."""
    case_number, platform, handle, root, by_id, children = thread
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{handle}_{root}")[:120]
    shown = [by_id[i] for i, _ in thread_order(root, children)]
    pdf = render_thread_pdf(case_number, platform, handle, root, by_id, children)
    if signing is not None:
        pdf = ThreadPdf(evidence.sign_pdf(pdf.data, signing), pdf.missing)
    return ThreadFiles(
        name=f"{platform}_{safe}",
        title=f"{handle} on {platform} · thread {root}",
        pdf=pdf,
        html=render_thread_html(case_number, platform, handle, root, by_id, children),
        captured_at=max(v["captured_at"] for _, versions in shown for v in versions),
    )


class Drawer:
    """Draws accounts' threads, in a pool of processes (one per core) when `parallel`,
    else here; `submit` one account's threads, `drain` the results of earlier ones."""

    def __init__(self, signing: evidence.Signing | None, parallel: bool) -> None:
        self.signing = signing
        self.pending: list[Future[list[ThreadFiles]] | list[ThreadFiles]] = []
        self.pool: ProcessPoolExecutor | None = None
        if parallel:
            # spawn, not fork: the worker that builds productions runs threads of its own.
            self.pool = ProcessPoolExecutor(
                max_workers=os.cpu_count() or 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=drawing_process.start,
                initargs=(signing.chain_pem, signing.key_pem, signing.tsa_url) if signing else (b"", "", ""),
            )

    def submit(self, threads: list[Thread]) -> None:
        if self.pool is None:
            self.pending.append([draw(thread, self.signing) for thread in threads])
            return
        step = max(1, len(threads) // ((os.cpu_count() or 1) * 2))  # a few chunks a process
        batches = [threads[i : i + step] for i in range(0, len(threads), step)]
        self.pending += [self.pool.submit(drawing_process.draw_batch, batch) for batch in batches]

    def drain(self, keep: int = 0) -> Iterator[ThreadFiles]:
        """Results in submission order, leaving the last `keep` batches in flight."""
        while len(self.pending) > keep:
            batch = self.pending.pop(0)
            yield from batch.result() if isinstance(batch, Future) else batch

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def parallel_for(items: int) -> bool:
    """Whether a production of this many items is drawn in parallel processes."""
    return (os.cpu_count() or 1) > 1 and items >= settings.PRODUCTION_PARALLEL_ITEMS
