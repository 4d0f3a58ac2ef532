"""Live capture from a Bluesky service's firehose (`com.atproto.sync.subscribeRepos`,
the protocol a production capture uses against the network's relay).

Each commit that touches a registered account's posts, or a reply in one of its
threads, is archived as it arrives, in batches (what arrives together, up to
BATCH_CAPTURES or BATCH_SECONDS, so a burst of replies costs few transactions), with the sequence
number of the last event each batch covers saved in the same transaction: a consumer
killed at any point resumes from the last archived event, and an event seen twice
changes nothing (the archive ignores what it already holds).
A profile change triggers a capture run of that account (its snapshot needs the avatar).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from datetime import timedelta
from typing import Any

import libipld
from atproto import FirehoseSubscribeReposClient, models, parse_subscribe_repos_message

from civicsocial.duties.leases import while_leading
from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.adapters.bluesky import (
    POST,
    PROFILE,
    BlueskyAdapter,
    remember_handle,
    reply_uris,
)
from civicsocial.platforms.capture import (
    capturable_accounts,
    capture_account,
    parse_lines,
    removal_line,
)
from civicsocial.platforms.models import StreamCursor
from civicsocial.records.announce import archive_and_announce
from civicsocial.records.capture import Capture
from civicsocial.records.models import ArchivedItem
from civicsocial.registry.models import Account

log = logging.getLogger(__name__)
SAVE_EVERY = 200  # events that archive nothing: save the cursor only now and then
# A burst is archived in batches (issue 17), a group commit: the consumer takes frames as
# long as they keep coming (each within LINGER of the last), and archives the batch when
# they pause, or at BATCH_CAPTURES captures, or BATCH_SECONDS after its first capture.
# A lone reply waits LINGER at most; in a burst, what arrives during one commit is the next.
BATCH_CAPTURES = 500
BATCH_SECONDS = 0.1
LINGER = 0.005
IDLE_CHECK = 0.25  # how often a quiet consumer looks at `stop`
_ENDED = object()  # the reader's last word: the client stopped
# The consumer's lease: renewed every 10 s; a dead consumer is replaced within 30 s.
LEADER_TTL = timedelta(seconds=30)


class FirehoseConsumer:
    """Archives one service's events for the registered Bluesky accounts on it."""

    def __init__(self, service: str, accounts: list[Account] | None = None) -> None:
        self.service = service.rstrip("/")
        accounts = accounts if accounts is not None else capturable_accounts(platform="bluesky")
        self.readers: dict[str, tuple[Account, BlueskyAdapter]] = {}
        for account in accounts:
            try:
                did = BlueskyAdapter.reader(self.service, account.handle, "").did_of(account.handle)
            except PlatformError as error:
                if error.retry_after is not None:
                    raise  # the service is busy or down: the whole consumer waits
                # One account that is not on this service must not stop the others' capture;
                # its polling records the error on its page.
                log.warning("firehose of %s skips %s: %s", self.service, account.handle, error)
                continue
            self.readers[did] = (account, BlueskyAdapter.reader(self.service, account.handle, did))
        self.cursor, _ = StreamCursor.objects.get_or_create(service=self.service)
        self.archived = 0
        self._pending: list[Capture] = []
        self._pending_seq: int | None = None  # the last event the batch covers
        self._oldest = 0.0  # when the batch's first capture was seen
        self._unsaved = 0
        self._client: FirehoseSubscribeReposClient | None = None
        self.failure: Exception | None = None

    def _lines(self, commit: models.ComAtprotoSyncSubscribeRepos.Commit) -> list[dict[str, Any]]:
        blocks = libipld.decode_car(commit.blocks)[1] if commit.blocks else {}
        lines = []
        for op in commit.ops:
            collection = op.path.split("/", 1)[0]
            uri = f"at://{commit.repo}/{op.path}"
            if collection == PROFILE and commit.repo in self.readers:
                capture_account(self.readers[commit.repo][0])  # the snapshot needs the avatar
            if collection != POST:
                continue
            if op.action == "delete":
                lines += self._deletion(commit.repo, uri)
                continue
            record = blocks.get(_cid_bytes(op.cid)) if op.cid else None
            if not isinstance(record, dict):
                continue
            reader = self._reader_for(commit.repo, record)
            if reader is not None:
                lines.append(reader.capture_of(commit.repo, uri, str(op.cid), record))
        return lines

    def _reader_for(self, repo: str, record: dict[str, Any]) -> BlueskyAdapter | None:
        """The account whose archive this post belongs in: its author's, or the account
        whose thread it replies in."""
        if repo in self.readers:
            return self.readers[repo][1]
        parent, root = reply_uris(record)
        for uri in (root, parent):
            did = uri.removeprefix("at://").split("/", 1)[0]
            if did in self.readers:
                return self.readers[did][1]
        return None

    def _deletion(self, repo: str, uri: str) -> list[dict[str, Any]]:
        items = ArchivedItem.objects.filter(platform_id=uri, deleted=False, stream__platform="bluesky",
                                            stream__account__isnull=False).select_related("stream")
        return [removal_line("bluesky", item.stream.handle, uri, item.kind,
                             {"removed": "firehose delete", "repo": repo}) for item in items]

    def handle(self, message: Any) -> None:
        """One firehose frame: what concerns our accounts joins the batch, and the batch
        is archived once it is full or old enough (a burst is archived in few
        transactions, each with the cursor it reaches)."""
        event = parse_subscribe_repos_message(message)
        seq = getattr(event, "seq", None)
        if isinstance(event, models.ComAtprotoSyncSubscribeRepos.Identity):
            remember_handle(self.service, event.did, event.handle)  # a resident renamed
        commit = isinstance(event, models.ComAtprotoSyncSubscribeRepos.Commit)
        if commit and any(op.action == "delete" for op in event.ops):
            self.flush()  # the removed post may be in the batch: archive it first
        captures, rejected = parse_lines(self._lines(event) if commit else [])
        for message in rejected:
            log.warning("unreadable firehose record %s", message)
        if seq is None:
            return
        if captures and not self._pending:
            self._oldest = time.monotonic()
        self._pending += captures
        self._pending_seq = seq
        self._unsaved += 1
        self.cursor.seq = seq
        if self._client is not None:
            self._client.update_params({"cursor": seq})  # a reconnect resumes here
        if len(self._pending) >= BATCH_CAPTURES or self._unsaved >= SAVE_EVERY or \
                (self._pending and self._waited() >= BATCH_SECONDS):
            self.flush()

    def flush(self) -> None:
        """Archive the batch in one transaction with the cursor it reaches; triage and
        the branding audit are told after the commit, through the worker queue, so the
        consumer goes on reading while workers triage (issue 17: a burst of replies)."""
        captures, seq = self._pending, self._pending_seq
        if seq is None:
            return
        result = archive_and_announce(captures, alongside=lambda _: self._save_cursor(seq), queued=True)
        self.archived += sum(n for k, n in result.counts.items() if k != "unchanged")
        self._pending, self._pending_seq, self._unsaved = [], None, 0

    def _waited(self) -> float:
        return time.monotonic() - self._oldest

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set (the SDK reads in a thread of its own and
        reconnects with backoff; events are archived in this thread). An event that
        cannot be archived stops the run before the cursor passes it: the next run
        starts again from the last saved event (`self.failure` says why)."""
        uri = self.service.replace("http", "ws", 1) + "/xrpc"
        self._client = client = FirehoseSubscribeReposClient({"cursor": self.cursor.seq}, base_uri=uri)
        self.failure = None
        frames: queue.Queue[Any] = queue.Queue(maxsize=4 * BATCH_CAPTURES)  # the reader waits
        reader = threading.Thread(target=_read, args=(client, frames), daemon=True,
                                  name=f"firehose-reader-{self.service}")
        reader.start()
        try:
            while not stop.is_set():
                try:  # group commit: a batch grows while frames keep coming, no longer
                    frame = frames.get(timeout=LINGER if self._pending else IDLE_CHECK)
                except queue.Empty:
                    self.flush()  # the stream paused: archive what waits at once
                    continue
                if frame is _ENDED:
                    break
                self.handle(frame)
            self.flush()
        except Exception as error:  # any failure: stop, resume later from the saved cursor
            log.warning("firehose of %s stopped: %s", self.service, error)
            self.failure = error
        finally:
            client.stop()
            _drain(frames, reader)

    def _save_cursor(self, seq: int) -> None:
        """Move the saved cursor forward, never back (a consumer that lost its lease and
        has not noticed yet must not undo what the new one saved)."""
        StreamCursor.objects.filter(pk=self.cursor.pk, seq__lt=seq).update(seq=seq)


def _cid_bytes(cid: object) -> bytes:
    """The binary form of a CID, as the blocks of a commit's CAR are keyed (decoding the
    blocks without making a CID object of each key: a fifth of a burst's decoding time)."""
    return libipld.decode_multibase(str(cid))[1]


def _read(client: FirehoseSubscribeReposClient, frames: queue.Queue[Any]) -> None:
    """The SDK's reading loop, handing each frame to the consumer's thread."""
    try:
        client.start(frames.put)
    finally:
        frames.put(_ENDED)


def _drain(frames: queue.Queue[Any], reader: threading.Thread) -> None:
    """Let a reader blocked on a full queue finish, once the client is stopped."""
    while reader.is_alive():
        with contextlib.suppress(queue.Empty):
            frames.get(timeout=0.1)


def consume_forever(service: str, stop: threading.Event, pause: float = 5.0,
                    longest: float = 300.0, ttl: timedelta = LEADER_TTL) -> None:
    """The worker's stream duty. Every worker runs it; one consumes the service for all
    (the holder of its lease, issue 17), the others stand by and take over from the
    saved cursor if it dies. The leader, after a failure, starts again from the saved
    cursor (with the registered accounts as they are now), waiting longer after each
    failure in a row."""

    def lead(stopping: threading.Event) -> None:
        wait = pause
        while not stopping.is_set():
            consumer = None
            try:
                consumer = FirehoseConsumer(service)
                consumer.run(stopping)
            except Exception as error:  # the service is down: wait and retry
                log.warning("firehose of %s unavailable: %s", service, error)
            healthy = consumer is not None and consumer.failure is None
            wait = pause if healthy else min(wait * 2, longest)
            stopping.wait(wait)

    while_leading(f"firehose:{service.rstrip('/')}", ttl, stop, lead)
