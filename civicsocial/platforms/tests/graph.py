"""The Graph API contract server (ops/graph_server.py) for the Facebook and Instagram tests:
one per test process, and a Page (with its Instagram account) per test."""

from __future__ import annotations

import atexit
import secrets

from civicsocial.ops.graph_server import GraphContractServer
from civicsocial.platforms.adapters.facebook import FacebookAdapter
from civicsocial.platforms.adapters.instagram import InstagramAdapter
from civicsocial.platforms.retry import RetryPolicy

FAST = RetryPolicy(attempts=10, base=0.05, cap=0.5)
_server: GraphContractServer | None = None


def shared_server() -> GraphContractServer:
    global _server
    if _server is None:
        _server = GraphContractServer().__enter__()
        atexit.register(_server.close)
    return _server


def new_page(name: str = "Parks") -> tuple[str, str, str]:
    """A new Page with a linked Instagram account: (page id, Instagram id, page token)."""
    server = shared_server()
    page, token = server.add_page(f"NYC {name}", about=f"Official page of NYC {name}",
                                  website="https://www.nyc.gov", verified=True, picture=b"\x89PNG page")
    user = server.add_instagram(page, f"nyc{name.lower()}{secrets.token_hex(2)}", f"NYC {name}",
                                "Official account", "https://www.nyc.gov")
    return page, user, token


def facebook(token: str, handle: str = "@nycparks", url: str = "", **options: object) -> FacebookAdapter:
    return FacebookAdapter(url or shared_server().url, handle, token, **{"retry": FAST, **options})  # type: ignore[arg-type]


def instagram(token: str, handle: str = "@nycparks", url: str = "", **options: object) -> InstagramAdapter:
    return InstagramAdapter(url or shared_server().url, handle, token, **{"retry": FAST, **options})  # type: ignore[arg-type]
