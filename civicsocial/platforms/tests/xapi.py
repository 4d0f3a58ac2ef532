"""The X API v2 contract server (ops/x_server.py) for the X tests: one per test process."""

from __future__ import annotations

import atexit
import secrets

from civicsocial.ops.x_server import XContractServer
from civicsocial.platforms.adapters.x import XAdapter
from civicsocial.platforms.retry import RetryPolicy

FAST = RetryPolicy(attempts=10, base=0.05, cap=0.5)
_server: XContractServer | None = None


def shared_server() -> XContractServer:
    global _server
    if _server is None:
        _server = XContractServer().__enter__()
        atexit.register(_server.close)
    return _server


def new_user(name: str = "nycparks", **profile: object) -> tuple[str, str]:
    """A new X user (a unique username): (id, user-context token)."""
    return shared_server().add_user(f"{name}{secrets.token_hex(2)}"[:15], **profile)  # type: ignore[arg-type]


def adapter(token: str, handle: str = "@nycparks", url: str = "", **options: object) -> XAdapter:
    return XAdapter(url or shared_server().url, handle, token, **{"retry": FAST, **options})  # type: ignore[arg-type]
