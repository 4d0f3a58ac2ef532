"""`civicsocial worker`: the options an operator gives reach the Huey consumer (issue 17:
a worker added for a burst takes only queued work). The consumer's own options are read
where Huey reads them: passing `no_periodic=False` through call_command once turned the
periodic duties off (call_command maps it onto Huey's `periodic`), so these tests look at
what Huey's command receives, not at what ours passed."""

from __future__ import annotations

from io import StringIO
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase

WORKER = "civicsocial.ops.management.commands.worker"
RUN_HUEY = "huey.contrib.djhuey.management.commands.run_huey.Command.handle"


class WorkerCommandTestCase(SimpleTestCase):
    def run_worker(self, *args: str) -> dict[str, Any]:
        received: dict[str, Any] = {}
        with (
            mock.patch(RUN_HUEY, lambda command, *a, **options: received.update(options)),
            mock.patch(f"{WORKER}.warm_up"),
            mock.patch(f"{WORKER}.start_live_capture", return_value=[]) as streams,
        ):
            call_command("worker", *args, stdout=StringIO())
        self.streams = streams
        return received

    def test_it_runs_periodic_duties_and_streams_by_default(self):
        options = self.run_worker()
        self.assertEqual(
            (options["periodic"], options["workers"], options["worker_type"]), (True, 2, "thread")
        )
        self.streams.assert_called_once()

    def test_it_takes_only_queued_work_when_asked(self):
        options = self.run_worker("--no-stream", "--no-periodic", "--workers", "4")
        self.assertEqual((options["periodic"], options["workers"]), (False, 4))
        self.streams.assert_not_called()
