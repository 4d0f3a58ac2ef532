"""Live capture where the platform streams: the Bluesky firehose of the configured
service (one consumer for every account on it) and each Mastodon account's user stream.
The worker runs these beside the periodic polling, which remains the safety net. Every
worker starts them; one leads each stream across all workers (a lease), the others stand
by to take over."""

from __future__ import annotations

import logging
import os
import threading

from django.db import connections

from civicsocial.duties.leases import while_leading
from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.bluesky_stream import LEADER_TTL, consume_forever
from civicsocial.platforms.capture import capturable_accounts
from civicsocial.platforms.credentials import bluesky_service, secret_variable
from civicsocial.platforms.mastodon_stream import MastodonStream

log = logging.getLogger(__name__)


def follow_stream(stream: MastodonStream, stop: threading.Event) -> None:
    """A worker's thread for one Mastodon account's user stream: one worker across all
    follows it (its lease, issue 17), the others stand by to take over. The thread's
    database connection is closed when it ends."""
    try:
        while_leading(f"mastodon-stream:{stream.account.pk}", LEADER_TTL, stop, stream.run)
    finally:
        connections.close_all()


def start_live_capture(stop: threading.Event) -> list[str]:
    """Start a daemon thread per stream (they end with the process, or when `stop` is
    set); returns what was started, one line each."""
    started = []
    if os.environ.get("CIVICSOCIAL_BLUESKY_SERVICE") and capturable_accounts(platform="bluesky"):
        service = bluesky_service()
        threading.Thread(target=consume_forever, args=(service, stop), daemon=True,
                         name="bluesky-firehose").start()
        started.append(f"the Bluesky firehose of {service}")
    for account in capturable_accounts(platform="mastodon"):
        if not os.environ.get(secret_variable(account.platform, account.handle)):
            continue  # no credentials: its polling says so on its page
        try:
            stream = MastodonStream(account)
        except PlatformError as error:
            log.warning("no stream for %s: %s", account.handle, error)
            continue
        threading.Thread(target=follow_stream, args=(stream, stop), daemon=True,
                         name=f"mastodon-{account.handle}").start()
        started.append(f"the Mastodon user stream of {account.handle}")
    return started
