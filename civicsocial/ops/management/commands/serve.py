"""`civicsocial serve`: the app on 127.0.0.1 with waitress (a production WSGI server)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.collectstatic import (
    Command as CollectStatic,
)
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from waitress import serve  # type: ignore[import-untyped]

from civicsocial.ops.demo_platforms import demo_platforms
from civicsocial.ops.evidence_authority import demo_evidence
from civicsocial.ops.live_demo import live_demo
from civicsocial.wsgi import application


class Command(BaseCommand):
    help = "Serve the app and API (default 127.0.0.1, port $PORT or 8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start a background worker (run `civicsocial worker` apart)")
        parser.add_argument("--live-demo", action="store_true",
                            help="development only: the demo city's Bluesky accounts on a local "
                                 "network, with residents replying (make demo)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["live_demo"] and not settings.DEBUG:
            raise CommandError("--live-demo creates throwaway accounts: development mode only "
                               "(CIVICSOCIAL_DEBUG=1)")
        call_command(CollectStatic(), interactive=False, verbosity=0)
        with ExitStack() as stack:
            if options["live_demo"]:
                stack.enter_context(live_demo(self.stdout.write))  # before the worker starts
                stack.enter_context(demo_evidence(self.stdout.write, settings.VAR_DIR / "evidence"))
                stack.enter_context(demo_platforms(self.stdout.write,
                                                   f"http://{options['host']}:{options['port']}/"))
            self._serve(options)

    def _serve(self, options: dict[str, Any]) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"Civic Social is running at {url}  (Ctrl-C to stop)")
        if settings.DEBUG:
            self.stdout.write("Development mode (CIVICSOCIAL_DEBUG=1): not for production use.")
        # The worker inherits this environment: with --live-demo, the network's credentials.
        worker = None if options["no_worker"] else subprocess.Popen(
            [sys.executable, "-c", "from civicsocial.cli import main; main(['civicsocial', 'worker'])"])
        try:
            serve(application, host=options["host"], port=options["port"],
                  threads=options["threads"], ident="civicsocial",
                  # uploads to the imports page may be this large (waitress's default is 1 GB)
                  max_request_body_size=settings.IMPORT_UPLOAD_MAX_BYTES + 1024**2)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
