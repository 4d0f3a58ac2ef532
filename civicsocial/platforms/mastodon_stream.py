"""Live capture of a Mastodon account from its user stream (`/api/v1/streaming/user`):
its own statuses, replies that mention it, edits and deletions are archived as they
arrive (P25, P27).

Mastodon's stream has no position to resume from, so every (re)connection is followed
by an ordinary capture run: it reads everything since the account's polling cursor, which
covers whatever happened while the stream was down (the stream is connected first, so
nothing falls between the two). An event seen by both is archived
once (the archive ignores what it already holds).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

from mastodon import StreamListener

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.adapters.mastodon import MastodonAdapter
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.platforms.capture import capture_account, parse_lines, removal_line
from civicsocial.records.announce import archive_and_announce
from civicsocial.records.models import ArchivedItem
from civicsocial.registry.models import Account

log = logging.getLogger(__name__)


class _Listener(StreamListener):
    """Runs on Mastodon.py's stream thread: it only hands events to the consumer."""

    def __init__(self, events: queue.Queue[Event]) -> None:
        super().__init__()
        self.events = events

    def on_update(self, status: dict[str, Any]) -> None:
        self.events.put(Event("status", status))

    def on_status_update(self, status: dict[str, Any]) -> None:
        self.events.put(Event("status", status))

    def on_notification(self, notification: dict[str, Any]) -> None:
        if notification.get("type") == "mention" and notification.get("status"):
            self.events.put(Event("mention", notification["status"]))

    def on_delete(self, status_id: Any) -> None:
        self.events.put(Event("delete", str(status_id)))


@dataclass(frozen=True)
class Event:
    kind: str  # status (the account's own, new or edited), mention, delete
    payload: Any


CATCH_UP_RETRY = 1.0  # seconds between tries while another worker captures the account


class MastodonStream:
    """One account's user stream, archived as it happens (on the thread that runs it)."""

    def __init__(self, account: Account, adapter: MastodonAdapter | None = None) -> None:
        self.account = account
        found = adapter or adapter_for(account)
        assert isinstance(found, MastodonAdapter)
        self.adapter = found
        self.archived = 0

    def handle(self, event: Event) -> None:
        """Archive what one stream event says about the account's record."""
        if event.kind == "delete":
            self._archive(self._deletions(event.payload))
            return
        status = event.payload
        mine = str(status["account"]["id"]) == str(self.adapter.me["id"])
        if mine or (event.kind == "mention" and status.get("in_reply_to_id")):
            # (a followed account's post on the home timeline is not the city's record)
            self._archive([self.adapter.capture_of(status)])

    def _deletions(self, status_id: str) -> list[dict[str, Any]]:
        """Deletion versions for the archived status with this id, if we hold it."""
        items = ArchivedItem.objects.filter(stream__account=self.account, deleted=False,
                                            platform_id__endswith=f"/{status_id}")
        return [removal_line("mastodon", self.account.handle, item.platform_id, item.kind,
                             {"removed": "stream delete", "id": status_id})
                for item in items if item.platform_id.rsplit("/", 1)[-1] == status_id]

    def _archive(self, lines: list[dict[str, Any]]) -> None:
        captures, rejected = parse_lines(lines, self.account.handle)
        for message in rejected:
            log.warning("unreadable status for %s: %s", self.account.handle, message)
        if captures:
            result = archive_and_announce(captures)
            self.archived += sum(n for k, n in result.counts.items() if k != "unchanged")

    def _follow(self, events: queue.Queue[Event], handle: Any, stop: threading.Event) -> None:
        while not stop.is_set() and (handle.is_alive() or not events.empty()):
            try:
                event = events.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.handle(event)
            except PlatformError as error:  # a parent lookup failed: the catch-up redoes it
                log.warning("stream of %s: %s", self.account.handle, error)
                return

    def _catch_up(self, stop: threading.Event) -> bool:
        """A capture run made after the stream connected, so that nothing falls between
        them. When another worker is capturing the account (its lease: `busy`), that run
        may have listed before this stream connected: wait for it and run our own."""
        report = capture_account(self.account, self.adapter)
        while report.busy and not stop.wait(CATCH_UP_RETRY):
            report = capture_account(self.account, self.adapter)
        return report.ok and not report.busy

    def run(self, stop: threading.Event, pause: float = 5.0, longest: float = 300.0) -> None:
        """Catch up, stream, and when the connection ends catch up and stream again,
        waiting longer after each failure in a row, until `stop` is set."""
        wait = pause
        while not stop.is_set():
            events: queue.Queue[Event] = queue.Queue()
            handle = None
            try:
                # Connected first, then the catch-up: what happens in between is in both.
                handle = self.adapter.open_stream(_Listener(events))
                if self._catch_up(stop):  # what the stream missed
                    wait = pause
                else:
                    handle.close()
                    handle = None
            except PlatformError as error:
                log.warning("stream of %s unavailable: %s", self.account.handle, error)
            if handle is not None:
                self._follow(events, handle, stop)
                handle.close()
            if not stop.is_set():
                stop.wait(wait)
                wait = min(wait * 2, longest)
