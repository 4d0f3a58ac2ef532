"""Running a live-capture loop in a test's own thread (so it shares the test's
transaction) until a condition holds or a deadline passes."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_until_stopped(run: Callable[[threading.Event], None], stop: threading.Event,
                      timeout: float) -> None:
    """`run(stop)`, with `stop` set after `timeout` seconds at the latest."""
    timer = threading.Timer(timeout, stop.set)
    timer.daemon = True
    timer.start()
    try:
        run(stop)
    finally:
        timer.cancel()
