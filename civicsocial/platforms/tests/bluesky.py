"""The local Bluesky network for tests: one per test process, started on first use,
stopped at exit. `make test` installs it (scripts/bluesky/setup.sh) and sets
CIVICSOCIAL_REQUIRE_BLUESKY=1, so there a missing network fails instead of skipping."""

from __future__ import annotations

import atexit
import os
import secrets
import unittest
from typing import Any

from civicsocial.ops.network import BlueskyNetwork, NetworkUnavailable, installed
from civicsocial.platforms.adapters.bluesky import BlueskyAdapter

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


def registered_account(case: Any, prefix: str = "alpha",
                       **environment: str) -> tuple[Any, BlueskyAdapter]:
    """A Bluesky account of `case`'s first agency (a BaseTestCase), registered and on the
    shared network, with its credentials (and `environment`) set for the test only:
    (the Account, an adapter speaking for it)."""
    from unittest import mock

    from civicsocial.platforms.credentials import secret_variable

    handle, password = new_account(prefix)
    account = case.approved_account(handle=handle, url=f"https://bsky.app/profile/{handle}")
    patcher = mock.patch.dict(os.environ, {secret_variable("bluesky", handle): password,
                                           "CIVICSOCIAL_BLUESKY_SERVICE": shared_network().pds,
                                           **environment})
    patcher.start()
    case.addCleanup(patcher.stop)
    return account, adapter(handle, password)


def adapter(handle: str, password: str, **options: object) -> BlueskyAdapter:
    return BlueskyAdapter(shared_network().pds, handle, password, **options)  # type: ignore[arg-type]
