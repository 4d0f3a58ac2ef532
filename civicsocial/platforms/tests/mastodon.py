"""A Mastodon-API server on loopback for tests: mastodon_mock (PyPI), a stateful FastAPI
implementation of the Mastodon REST API on SQLite. It is not Mastodon itself (no
Mastodon server installs from the registries here: Mastodon is Ruby, and neither it,
GoToSocial, Pleroma nor Akkoma is packaged for Debian, PyPI or npm)."""

from __future__ import annotations

import atexit

from mastodon_mock.config import SeedAccount, SeedConfig
from mastodon_mock.testing.server import MockServer

from civicsocial.platforms.adapters.mastodon import MastodonAdapter

ACCOUNTS = ["parks", "transit", "resident", "neighbor", "stranger"]
_server: MockServer | None = None


def shared_server() -> MockServer:
    """One server per test process; its links point back at itself (http://127.0.0.1:PORT)."""
    global _server
    if _server is None:
        seed = SeedConfig(accounts=[SeedAccount(username=name, display_name=name.title(),
                                                access_token=f"{name}-token")
                                    for name in ACCOUNTS])
        _server = MockServer(seed=seed).start()
        _server.config.domain = f"127.0.0.1:{_server.port}"
        _server.config.url_scheme = "http"
        atexit.register(_server.stop)
    return _server


def token(name: str) -> str:
    return f"{name}-token"


def adapter(name: str, **options: object) -> MastodonAdapter:
    return MastodonAdapter(shared_server().base_url, f"@{name}", token(name), **options)  # type: ignore[arg-type]
