"""The worker's log lines carry the id of the task they belong to (see civicsocial/logs.py)."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_EXECUTING

from civicsocial.logs import current_id


@HUEY.signal(SIGNAL_EXECUTING)
def name_the_task(signal: str, task: Any, *args: Any) -> None:
    """Each task runs in a worker thread of its own: its lines get `task:NAME:ID`."""
    current_id.set(f"task:{task.name}:{task.id}")
