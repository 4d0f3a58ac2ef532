"""The YouTube Data API v3 contract server (ops/youtube_server.py) for the YouTube tests."""

from __future__ import annotations

import atexit
import json

from civicsocial.ops.youtube_server import YouTubeContractServer
from civicsocial.platforms.adapters.youtube import YouTubeAdapter
from civicsocial.platforms.retry import RetryPolicy

FAST = RetryPolicy(attempts=10, base=0.05, cap=0.5)
_server: YouTubeContractServer | None = None


def shared_server() -> YouTubeContractServer:
    global _server
    if _server is None:
        _server = YouTubeContractServer(daily_quota=10**9).__enter__()
        atexit.register(_server.close)
    return _server


def new_channel(title: str = "NYC Parks") -> tuple[str, str]:
    """A channel: (its id, the authorized-user JSON its owner grants)."""
    channel, credentials = shared_server().add_channel(
        title, "Official channel of " + title, "@nycparks", thumbnail=b"\xff\xd8 channel"
    )
    return channel, json.dumps(credentials)


def adapter(secret: str, handle: str = "@nycparks", url: str = "", **options: object) -> YouTubeAdapter:
    return YouTubeAdapter(url or shared_server().url, handle, secret, **{"retry": FAST, **options})  # type: ignore[arg-type]
