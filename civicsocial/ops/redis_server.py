"""A throwaway Redis server on loopback (Debian's redis-server, which `make test`
installs): the queue of the soak test and of the Redis queue test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisUnavailable(Exception):
    """redis-server is missing or did not start; the message says which."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server on a free 127.0.0.1 port that keeps nothing on disk: (the process,
    its redis:// URL). The caller terminates it."""
    if not os.path.exists(SERVER):
        raise RedisUnavailable("redis-server is not installed (make test installs it)")
    port = free_port()
    # Redis starts without `make test-clock`'s libfaketime: its jemalloc reads the clock
    # while libfaketime is still loading and the server fails to start. The queue's times
    # (a task's eta) are Huey's, computed on the moved clock in the calling process.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    process = subprocess.Popen([SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # noqa: S603
                                "--appendonly", "no", "--dir", str(directory)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RedisUnavailable("redis-server did not start within 20 s")
