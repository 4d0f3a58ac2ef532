"""Archiving, and telling whoever cares (issue 16: data flows one way).

`archive_and_announce` is how capture (polling and the live streams) archives: one
transaction for the captures and whatever the caller saves with them (a cursor), then,
once it is committed, each receiver is told what was archived. The records app knows
nothing of its receivers: the inbox (triage) and the branding audit (policy) subscribe
in their apps' `ready()`. A receiver's failure is logged and never raised, so it cannot
undo or stop capture; each receiver's periodic sweep (inbox `triage_new`, policy
`audit_profiles`) picks up what it missed.

A capture that must keep up with a stream (the firehose in a burst, issue 17) asks for
the announcement to be queued instead: the receivers then run in whichever worker takes
the task, so triage of one batch overlaps the archiving of the next, on other cores or
other machines. A lost task costs only time: the sweeps pick up what it would have done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction

from civicsocial.records.archive import ArchiveResult, archive_captures
from civicsocial.records.capture import Capture

log = logging.getLogger(__name__)
Receiver = Callable[[ArchiveResult], None]
_receivers: list[Receiver] = []


def on_archived(receiver: Receiver) -> Receiver:
    """Subscribe `receiver` to every archived batch (once, however often it is called)."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def announce(result: ArchiveResult) -> None:
    """Tell each receiver what a batch archived; a failure is logged, never raised."""
    if not result.changed_items:
        return
    for receiver in _receivers:
        try:
            receiver(result)
        except Exception:
            log.exception("%s failed after archiving %d item(s); its sweep retries",
                          getattr(receiver, "__qualname__", receiver), len(result.changed_items))


def announce_queued(result: ArchiveResult) -> None:
    """Announce `result` from the worker queue (records/tasks.py); if the queue cannot
    take it, say so and leave it to the sweeps."""
    if not result.changed_items:
        return
    from civicsocial.records.tasks import announce_archived

    try:
        announce_archived(dict(result.counts), result.new_items, result.changed_items)
    except Exception:
        log.exception("could not queue the announcement of %d archived item(s); the sweeps "
                      "pick them up", len(result.changed_items))


def archive_and_announce(captures: Sequence[Capture],
                         alongside: Callable[[ArchiveResult], object] | None = None,
                         queued: bool = False) -> ArchiveResult:
    """Archive the captures in one transaction, with `alongside(result)` in it (what the
    caller must save with them, such as the cursor they reach), then announce them: at
    once, or through the worker queue when `queued`."""
    with transaction.atomic():
        result = archive_captures(captures)
        if alongside is not None:
            alongside(result)
    (announce_queued if queued else announce)(result)
    return result
