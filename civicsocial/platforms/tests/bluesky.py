"""The local Bluesky network for tests: one per test process, started on first use,
stopped at exit. `make test` installs it (scripts/bluesky/setup.sh) and sets
CIVICSOCIAL_REQUIRE_BLUESKY=1, so there a missing network fails instead of skipping."""

from __future__ import annotations

import atexit
import os
import secrets
import unittest

from civicsocial.platforms.adapters.bluesky import BlueskyAdapter
from civicsocial.platforms.network import BlueskyNetwork, NetworkUnavailable, installed

_network: BlueskyNetwork | None = None


def shared_network() -> BlueskyNetwork:
    global _network
    if _network is None:
        if not installed() and not os.environ.get("CIVICSOCIAL_REQUIRE_BLUESKY"):
            raise unittest.SkipTest("the local Bluesky network is not installed "
                                    "(scripts/bluesky/setup.sh; make test installs it)")
        try:
            _network = BlueskyNetwork().__enter__()
        except NetworkUnavailable as error:
            raise AssertionError(str(error)) from None
        atexit.register(_network.__exit__, None, None, None)
    return _network


def new_account(prefix: str = "user") -> tuple[str, str]:
    """A fresh account on the shared PDS: (handle, password)."""
    handle = f"{prefix}{secrets.token_hex(4)}.test"
    password = secrets.token_urlsafe(12)
    shared_network().create_account(handle, password)
    return handle, password


def adapter(handle: str, password: str, **options: object) -> BlueskyAdapter:
    return BlueskyAdapter(shared_network().pds, handle, password, **options)  # type: ignore[arg-type]
