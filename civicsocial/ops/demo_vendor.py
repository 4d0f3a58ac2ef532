"""The demo's scheduling vendor (P12, issue 19): the Hootsuite contract server on
loopback, serving the city's Bluesky accounts on the live demo's network. Scheduled demo
posts go to it from the worker, and at their time it posts them on the network, where
capture archives them and links each to its draft. A few posts are scheduled for the
first minutes so a newcomer watches one go out."""

from __future__ import annotations

import os
import random
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone

from civicsocial.ops.demo_comments import city_post
from civicsocial.ops.demo_publishing import publish_through_drafts
from civicsocial.ops.hootsuite_server import HootsuiteContractServer
from civicsocial.platforms.adapters.base import MediaFile
from civicsocial.platforms.adapters.bluesky import BlueskyAdapter
from civicsocial.platforms.credentials import HOOTSUITE_CLIENT_SECRET, HOOTSUITE_REFRESH_TOKEN
from civicsocial.security import vault

FIRST_POSTS_MINUTES = (3, 7, 12)


@contextmanager
def demo_vendor(city: list[BlueskyAdapter], say: Callable[[str], None]) -> Iterator[HootsuiteContractServer]:
    by_handle = {adapter.handle.lstrip("@").lower(): adapter for adapter in city}

    def publish(profile: dict[str, object], text: str, media: list[tuple[bytes, str]]) -> tuple[str, str]:
        adapter = by_handle[str(profile["socialNetworkUsername"]).lower()]
        made = adapter.publish(text, secrets.token_hex(8), media=[MediaFile(d, t, "") for d, t in media])
        return made.item_id, made.url

    profiles = [{"id": str(115185509 + n), "type": "BLUESKY", "socialNetworkUsername": handle,
                 "owner": "ORGANIZATION", "isReauthRequired": 0}
                for n, handle in enumerate(sorted(by_handle))]
    stop = threading.Event()
    with HootsuiteContractServer(profiles, publish) as server:
        os.environ["CIVICSOCIAL_HOOTSUITE_URL"] = server.url
        os.environ["CIVICSOCIAL_HOOTSUITE_CLIENT_ID"] = server.state.client_id
        for secret, value in ((HOOTSUITE_CLIENT_SECRET, server.state.client_secret),
                              (HOOTSUITE_REFRESH_TOKEN, server.issue_refresh_token())):
            vault.store(vault.Entry(secret.name, secret.label, secret.kind), value, None, "demo vendor")
        vault.forget("vendor:hootsuite:access_token", None, "a new demo vendor")  # the last run's
        threading.Thread(target=_send_due, args=(server, stop), daemon=True, name="demo-vendor").start()
        scheduled = _first_posts(sorted(by_handle))
        say(f"Scheduling vendor: a Hootsuite contract server at {server.url} ({len(profiles)} Bluesky "
            f"profiles); {scheduled} approved post(s) go out in the next {FIRST_POSTS_MINUTES[-1]} minutes.")
        try:
            yield server
        finally:
            stop.set()


def _first_posts(handles: list[str]) -> int:
    """Approved posts due in the first minutes, on the accounts whose agency publishes
    through Civic Social in the demo (turn about); how many."""
    rng = random.Random()  # noqa: S311 - demo text, not a secret
    made = 0
    for minutes in FIRST_POSTS_MINUTES:
        when = timezone.now() + timedelta(minutes=minutes)
        for turn in range(len(handles)):
            handle = handles[(made + turn) % len(handles)]
            if publish_through_drafts(handle, city_post(rng), when):
                made += 1
                break
    return made


def _send_due(server: HootsuiteContractServer, stop: threading.Event) -> None:
    while not stop.wait(5):
        server.run_due()
