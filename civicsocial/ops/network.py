"""A real Bluesky network on loopback: the reference PLC directory and PDS
(scripts/bluesky/network.mjs, installed by scripts/bluesky/setup.sh), for the adapter
tests, the benchmark and the demo."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from atproto import Client

ROOT = Path(__file__).resolve().parent.parent.parent


class NetworkUnavailable(RuntimeError):
    """The local network is not installed or did not start."""


def cache_dir() -> Path:
    return Path(os.environ.get("CIVICSOCIAL_BLUESKY_CACHE", ROOT / "var" / "cache" / "bluesky"))


def installed() -> bool:
    return (cache_dir() / "app" / ".built").exists()


def _first_line(stream: IO[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


class BlueskyNetwork:
    """Starts the network on free loopback ports; stops it on exit (or when this
    process dies: the server exits when its stdin closes)."""

    def __init__(self, pds_port: int = 0, plc_port: int = 0, start_timeout: float = 90) -> None:
        self.ports = (pds_port, plc_port)
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.pds = ""
        self.plc = ""

    def __enter__(self) -> BlueskyNetwork:
        if not installed():
            raise NetworkUnavailable("the local Bluesky network is not installed: "
                                     "run scripts/bluesky/setup.sh (make test does)")
        cache = cache_dir()
        env = {**os.environ, "PATH": f"{cache / 'node' / 'bin'}:{os.environ.get('PATH', '')}"}
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [str(cache / "node" / "bin" / "node"), "network.mjs", *map(str, self.ports)],
            cwd=cache / "app", env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        line = _first_line(self.process.stdout, self.start_timeout)
        try:
            ready = json.loads(line)
        except json.JSONDecodeError:
            self.__exit__(None, None, None)
            raise NetworkUnavailable(f"the local Bluesky network did not start: {line[:200]!r}") \
                from None
        self.pds, self.plc = ready["pds"], ready["plc"]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.process is None:
            return
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def create_account(self, handle: str, password: str) -> str:
        """A new account on the PDS (handles end in .test); returns its DID."""
        client = Client(base_url=self.pds)
        created: Any = client.com.atproto.server.create_account(
            {"handle": handle, "email": f"{handle}@example.com", "password": password})
        return str(created.did)
