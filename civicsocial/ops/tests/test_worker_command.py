"""`civicsocial worker`: the options an operator gives reach the Huey consumer (issue 17:
a worker added for a burst takes only queued work)."""

from __future__ import annotations

from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase

WORKER = "civicsocial.ops.management.commands.worker"


class WorkerCommandTestCase(SimpleTestCase):
    def run_worker(self, *args: str) -> mock.MagicMock:
        with mock.patch(f"{WORKER}.call_command") as huey, mock.patch(f"{WORKER}.warm_up"), \
                mock.patch(f"{WORKER}.start_live_capture", return_value=[]) as streams:
            call_command("worker", *args, stdout=StringIO())
        self.streams = streams
        return huey

    def test_it_runs_periodic_duties_and_streams_by_default(self):
        huey = self.run_worker()
        huey.assert_called_once_with("run_huey", workers=2, worker_type="thread", no_periodic=False)
        self.streams.assert_called_once()

    def test_it_takes_only_queued_work_when_asked(self):
        huey = self.run_worker("--no-stream", "--no-periodic", "--workers", "4")
        huey.assert_called_once_with("run_huey", workers=4, worker_type="thread", no_periodic=True)
        self.streams.assert_not_called()
