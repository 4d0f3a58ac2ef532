"""Background triage, run by the Huey worker every minute: whatever reached the archive
by any path (capture, streams, `archive import`) lands in its account's inbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from civicsocial.inbox.services import triage_new_items


@db_periodic_task(crontab(minute="*"))
@HUEY.lock_task("triage-new-items")
def triage_new() -> None:
    triage_new_items()
