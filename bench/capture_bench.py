"""Capture benchmark (part of `make bench`): the local Bluesky network on loopback.

- throughput: items/s archived by one polling run, and by the firehose consumer, vs
  reading the same items without archiving (listRecords alone; a bare firehose reader)
- burst (issue 17): 2,000 replies published by residents at once to one account while
  the consumer runs and a worker process triages what it archives: lag p95 to the archive
  and to the inbox against the bare reader's; BURST_N replies (default 10,000) replayed
  from the saved cursor, items/s against the bare reader's, against archiving the same
  captures alone (decoded ahead), and the worker's triage of them
- lag p50/p95: from a post being published to its version being in the archive, for the
  firehose consumer (vs a bare firehose reader seeing the event) and for polling every
  POLL_SECONDS (lag there is about half the interval, by design), and for a Mastodon
  account's user stream (vs a bare stream listener seeing the mention)

- per platform served by a contract server (Facebook, Instagram, X, YouTube): items/s of a
  polling run against the adapter listing the same items alone

Usage: python bench/capture_bench.py   (CAPTURE_N replies, default 600; BURST_N, 10,000;
CAPTURE_PLATFORMS_ONLY=1 for the contract-server rows alone)
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-capture"
POLL_SECONDS = 2.0
LAG_POSTS = 30


def setup_django() -> None:
    from archive_bench import fresh_django

    fresh_django(WORK)


def percentiles(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=20)[18]


def wait_for(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for capture ({check})")
        time.sleep(0.005)


class BareReader:
    """The floor: a firehose subscriber that only notes when each post's event arrives."""

    def __init__(self, pds: str, cursor: int = 0) -> None:
        from atproto import FirehoseSubscribeReposClient

        self.seen: dict[str, float] = {}
        self.client = FirehoseSubscribeReposClient({"cursor": cursor},
                                                   base_uri=pds.replace("http", "ws", 1) + "/xrpc")

    def on_message(self, message: Any) -> None:
        from atproto import models, parse_subscribe_repos_message

        event = parse_subscribe_repos_message(message)
        if isinstance(event, models.ComAtprotoSyncSubscribeRepos.Commit):
            for op in event.ops:
                self.seen.setdefault(f"at://{event.repo}/{op.path}", time.monotonic())

    def start(self) -> None:
        threading.Thread(target=self.client.start, args=(self.on_message,), daemon=True).start()


def publish_at_once(residents: list[Any], parent: str, count: int, tag: str) -> dict[str, float]:
    """Residents reply `count` times to `parent` from eight threads: {uri: when published}."""
    from concurrent.futures import ThreadPoolExecutor

    posted: dict[str, float] = {}

    def reply(i: int) -> None:
        uri = residents[i % len(residents)].publish(f"Burst reply {i}", f"{tag}-{i}",
                                                    reply_to=parent).item_id
        posted[uri] = time.monotonic()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(reply, range(count)))
    return posted


def start_worker() -> Any:
    """A worker process that takes only queued work (`civicsocial worker --no-stream
    --no-periodic`) on the benchmark's database: the firehose hands triage to it."""
    import subprocess

    from civicsocial.records.tasks import announce_archived

    log = open(WORK / "worker.log", "w")  # noqa: SIM115 (closed with the process)
    worker = subprocess.Popen([sys.executable, "-m", "django", "worker", "--no-stream", "--no-periodic"],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    announce_archived({}, [], [1])  # ready once it has taken this (after its warm-up)
    wait_for(lambda: announce_archived.huey.pending_count() == 0, timeout=120)
    return worker


def inbox_times(uris: list[str]) -> dict[str, float]:
    """{uri: when it reached its inbox, on the monotonic clock} for those that did."""
    from civicsocial.inbox.models import InboxEntry

    offset = time.time() - time.monotonic()
    return {uri: at.timestamp() - offset for uri, at in InboxEntry.objects.filter(
        item__platform_id__in=uris).values_list("item__platform_id", "triaged_at")}


def burst(net: Any, accounts: list[tuple[Any, Any]], residents: list[Any],
          count: int) -> dict[str, float]:
    """Issue 17. Live: residents reply at once while the consumer runs and a worker
    process triages what it archives; lag p95 (published to committed, and to the inbox)
    against a bare reader's (published to seen). Replay: `count` replies reach a second
    account while no consumer runs; then the consumer archives them from the saved cursor,
    and a bare reader reads the same events: items/s. Then archiving alone the same
    captures (decoded ahead, into a third account), the floor any consumer has to pay;
    and the worker's triage of the replayed burst."""
    import dataclasses

    from django.db import connections

    from civicsocial.platforms.bluesky_stream import BATCH_CAPTURES, FirehoseConsumer
    from civicsocial.platforms.models import StreamCursor
    from civicsocial.records.archive import archive_captures

    (live_account, live_city), (replay_account, replay_city), (floor_account, _) = accounts
    committed: dict[str, float] = {}
    decoded: list[Any] = []

    def consumer_for(account: Any) -> FirehoseConsumer:
        consumer = FirehoseConsumer(net.pds, [account])
        real = consumer.flush

        def flush() -> None:  # when each capture was committed
            batch = [c.item_id for c in consumer._pending]
            decoded.extend(consumer._pending)
            real()
            now = time.monotonic()
            for uri in batch:
                committed.setdefault(uri, now)

        consumer.flush = flush  # type: ignore[method-assign]
        return consumer

    consumer, stop = consumer_for(live_account), threading.Event()

    def consume() -> None:
        try:
            consumer.run(stop)
        finally:
            connections.close_all()

    worker = start_worker()
    bare = BareReader(net.pds, consumer.cursor.seq)
    bare.start()
    live = threading.Thread(target=consume, daemon=True)
    live.start()
    time.sleep(1.0)
    live_count = min(count, 2000)
    print(f"Burst: {live_count:,} replies at once, consumer and a worker running...", file=sys.stderr)
    root = live_city.publish("Storm update: crews are out", "burst-live-post").item_id
    posted = publish_at_once(residents, root, live_count, "burst-live")
    wait_for(lambda: posted.keys() <= committed.keys(), timeout=600)
    wait_for(lambda: posted.keys() <= bare.seen.keys(), timeout=600)
    wait_for(lambda: len(inbox_times(list(posted))) == live_count, timeout=600)
    stop.set()
    live.join(60)
    bare.client.stop()
    worker.terminate()
    worker.wait(60)
    # "Published" is when the publish call returned, which can come after the event.
    lags = [max(committed[u] - t, 0.001) for u, t in posted.items()]
    seen = [max(bare.seen[u] - t, 0.001) for u, t in posted.items()]
    triaged = [max(at - posted[u], 0.001) for u, at in inbox_times(list(posted)).items()]

    print(f"Burst: {count:,} replies while no consumer runs...", file=sys.stderr)
    start_seq = StreamCursor.objects.get(service=net.pds).seq
    root = replay_city.publish("Storm update: shelters open", "burst-replay-post").item_id
    replayed = publish_at_once(residents, root, count, "burst-replay")
    reader = BareReader(net.pds, start_seq)
    started = time.perf_counter()
    reader.start()
    wait_for(lambda: replayed.keys() <= reader.seen.keys(), timeout=600)
    bare_seconds = time.perf_counter() - started
    reader.client.stop()
    consumer, done = consumer_for(replay_account), threading.Event()
    real_flush = consumer.flush

    def flush_until_done() -> None:
        real_flush()
        if replayed.keys() <= committed.keys():
            done.set()

    consumer.flush = flush_until_done  # type: ignore[method-assign]
    decoded.clear()
    started = time.perf_counter()
    consumer.run(done)
    replay_seconds = time.perf_counter() - started

    print("Burst: archiving alone, then the worker's triage...", file=sys.stderr)
    again = [dataclasses.replace(c, account=floor_account.handle) for c in decoded]
    started = time.perf_counter()
    for at in range(0, len(again), BATCH_CAPTURES):
        archive_captures(again[at:at + BATCH_CAPTURES])
    archive_seconds = time.perf_counter() - started
    started = time.perf_counter()
    worker = start_worker()  # the replay's batches wait in the queue
    wait_for(lambda: len(inbox_times(list(replayed))) == count, timeout=600)
    triage_seconds = time.perf_counter() - started
    worker.terminate()
    worker.wait(60)
    return {"lag_p95": percentiles(lags)[1], "seen_p95": percentiles(seen)[1],
            "inbox_p95": percentiles(triaged)[1],
            "items_per_s": count / replay_seconds, "bare_per_s": count / bare_seconds,
            "archive_per_s": len(again) / archive_seconds, "triage_per_s": count / triage_seconds,
            "live_count": live_count}


def mastodon_stream_lags(agency: Any, archived: Callable[[str], bool]) -> tuple[list[float],
                                                                               list[float]]:
    """Reply published to archived, through MastodonStream, against a bare user-stream
    listener seeing the mention (mastodon_mock on loopback; see platforms/tests/mastodon.py)."""
    from mastodon import Mastodon, StreamListener
    from mastodon_mock.config import SeedAccount, SeedConfig
    from mastodon_mock.testing.server import MockServer

    from civicsocial.platforms.adapters.mastodon import MastodonAdapter
    from civicsocial.platforms.credentials import secret_variable
    from civicsocial.platforms.mastodon_stream import MastodonStream
    from civicsocial.registry.models import Account

    tokens = {name: secrets.token_urlsafe(16) for name in ("benchcity", "benchresident")}
    server = MockServer(seed=SeedConfig(accounts=[SeedAccount(username=n, display_name=n, access_token=t)
                                                  for n, t in tokens.items()])).start()
    server.config.domain, server.config.url_scheme = f"127.0.0.1:{server.port}", "http"
    seen: dict[str, float] = {}

    class Bare(StreamListener):  # type: ignore[misc]
        def on_notification(self, notification: dict[str, Any]) -> None:
            seen.setdefault(notification["status"]["uri"], time.monotonic())

    try:
        os.environ[secret_variable("mastodon", "@benchcity")] = tokens["benchcity"]
        account = Account.objects.create(agency=agency, platform="mastodon", handle="@benchcity",
                                         url=f"{server.base_url}/@benchcity",
                                         login_identity="social@benchcity.bench.nyc.gov")
        city = MastodonAdapter(server.base_url, "@benchcity", tokens["benchcity"])
        resident = MastodonAdapter(server.base_url, "@benchresident", tokens["benchresident"])
        post = city.publish("Service notice", "m-post")
        bare = Mastodon(access_token=tokens["benchcity"], api_base_url=server.base_url,
                        version_check_mode="none").stream_user(Bare(), run_async=True)
        stop = threading.Event()
        threading.Thread(target=MastodonStream(account).run, args=(stop,), daemon=True).start()
        wait_for(lambda: archived(post.item_id))
        time.sleep(1.0)
        lags, bare_lags = [], []
        for i in range(LAG_POSTS):
            posted = time.monotonic()
            uri = resident.publish(f"@benchcity reply {i}", f"m-lag-{i}", reply_to=post.item_id).item_id
            wait_for(lambda uri=uri: archived(uri))
            lags.append(time.monotonic() - posted)
            wait_for(lambda uri=uri: uri in seen)
            bare_lags.append(seen[uri] - posted)
        stop.set()
        bare.close()
        return lags, bare_lags
    finally:
        server.stop()


def contract_platform_rows(n: int) -> list[str]:
    """One row per platform served by a contract server (Facebook, Instagram, X, YouTube): a
    polling run that archives n items, against the adapter listing the same items alone."""
    from civicsocial.platforms.capture import capture_account
    from civicsocial.platforms.tests.worlds import WORLDS
    from civicsocial.registry.models import Account, Agency

    agency = Agency.objects.get_or_create(name="Bench platforms", slug="benchp",
                                          email_domains="benchp.nyc.gov")[0]
    rows = []
    for platform, make in WORLDS.items():
        posts = 10 if platform != "youtube" else 5
        print(f"Throughput: {platform} ({n} items on its contract server)...", file=sys.stderr)
        world = make(posts, n // posts)  # type: ignore[call-arg]
        account = Account.objects.create(agency=agency, platform=platform, handle=f"@bench{platform}",
                                         url=f"https://{platform}.example/bench",
                                         login_identity="social@benchp.nyc.gov")
        started = time.perf_counter()
        listed = len(world.build(world.service).read_since("").captures)
        list_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = capture_account(account, world.build(world.service))
        capture_seconds = time.perf_counter() - started
        assert report.ok, report.error
        items = report.counts.get("created", 0)
        rows.append(f"| {platform} poll throughput (contract server), items/s | "
                    f"{items / capture_seconds:,.0f} | {listed / list_seconds:,.0f} (listing alone) | "
                    f"{list_seconds / capture_seconds:.2f} |")
    return rows


def main() -> None:
    setup_django()
    if os.environ.get("CAPTURE_PLATFORMS_ONLY"):
        from civicsocial.inbox.triage import Comment, triage_many

        triage_many([Comment("warm up")])
        rows = contract_platform_rows(int(os.environ.get("CAPTURE_N", "600")))
        print("| measure | Civic Social | baseline | ratio |\n|---|---|---|---|\n" + "\n".join(rows))
        return
    from django.db import connection

    from civicsocial.inbox.triage import Comment, triage_many
    from civicsocial.ops.demo_comments import city_post, resident_reply
    from civicsocial.ops.network import BlueskyNetwork
    from civicsocial.platforms.adapters.bluesky import BlueskyAdapter, tid_for
    from civicsocial.platforms.bluesky_stream import FirehoseConsumer
    from civicsocial.platforms.capture import capture_account
    from civicsocial.platforms.credentials import secret_variable
    from civicsocial.records.models import ArchivedItem
    from civicsocial.registry.models import Account, Agency

    n = int(os.environ.get("CAPTURE_N", "600"))
    rng = random.Random(11)
    agency = Agency.objects.create(name="Bench", slug="bench", email_domains="bench.nyc.gov")

    def city(net: BlueskyNetwork, name: str) -> tuple[Account, BlueskyAdapter]:
        handle, password = f"{name}.test", secrets.token_urlsafe(12)
        net.create_account(handle, password)
        os.environ[secret_variable("bluesky", handle)] = password
        account = Account.objects.create(agency=agency, platform="bluesky", handle=handle,
                                         url=f"https://bsky.app/profile/{handle}",
                                         login_identity=f"social@{name}.bench.nyc.gov")
        return account, BlueskyAdapter(net.pds, handle, password)

    def archived(uri: str) -> bool:
        return ArchivedItem.objects.filter(platform_id=uri).exists()

    print("Starting the local Bluesky network...", file=sys.stderr)
    with BlueskyNetwork() as net:
        os.environ["CIVICSOCIAL_BLUESKY_SERVICE"] = net.pds
        residents = []
        for r in range(5):
            handle, password = f"resident{r}.test", secrets.token_urlsafe(12)
            net.create_account(handle, password)
            residents.append(BlueskyAdapter(net.pds, handle, password))
        polled, polled_adapter = city(net, "polled")
        streamed, streamed_adapter = city(net, "streamed")
        print(f"Publishing {n} replies to each of two accounts...", file=sys.stderr)
        for account_adapter, tag in ((polled_adapter, "p"), (streamed_adapter, "s")):
            # What residents really write (the demo's mix), so the inbox triage and routing
            # that follow each capture cost what they would.
            posts = [account_adapter.publish(city_post(rng), f"{tag}-post-{i}") for i in range(n // 20)]
            for i in range(n - len(posts)):
                residents[i % 5].publish(resident_reply(rng), f"{tag}-{i}",
                                         reply_to=posts[i % len(posts)].item_id)

        # A running worker has trained the triage model and loaded its word lists once,
        # at its first capture: do that here, outside the timings.
        triage_many([Comment("warm up")])
        # Throughput, polling: one run archives everything; the floor lists it without archiving.
        started = time.perf_counter()
        listed = len(BlueskyAdapter(net.pds, polled.handle, os.environ[
            secret_variable("bluesky", polled.handle)]).read_since("").captures)
        list_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = capture_account(polled)
        poll_seconds = time.perf_counter() - started
        assert report.ok, report.error
        poll_items = report.counts.get("created", 0)

        # Throughput, firehose: replay from the start; the floor only decodes the events.
        print("Throughput: firehose...", file=sys.stderr)
        bare = BareReader(net.pds)
        started = time.perf_counter()
        bare.start()
        wait_for(lambda: len(bare.seen) >= 2 * n)
        bare_seconds = time.perf_counter() - started
        bare.client.stop()
        consumer = FirehoseConsumer(net.pds, [streamed])
        stop = threading.Event()
        original = consumer.flush

        def flush() -> None:
            original()
            if consumer.archived >= n:
                stop.set()

        consumer.flush = flush  # type: ignore[method-assign]
        started = time.perf_counter()
        consumer.run(stop)
        stream_seconds = time.perf_counter() - started
        stream_items = consumer.archived

        print("Lag: firehose...", file=sys.stderr)
        # Lag, firehose: the consumer runs in its own thread (its own connection).
        connection.close()
        bare = BareReader(net.pds, consumer.cursor.seq)
        bare.start()
        stop = threading.Event()
        live = threading.Thread(target=lambda: FirehoseConsumer(net.pds, [streamed]).run(stop),
                                daemon=True)
        live.start()
        time.sleep(1.0)
        stream_lags, bare_lags = [], []
        for i in range(LAG_POSTS):
            posted = time.monotonic()
            uri = residents[i % 5].publish(f"Live reply {i}", f"lag-s-{i}",
                                           reply_to=f"at://{streamed_adapter.did}/app.bsky.feed.post/"
                                                    f"{tid_for('s-post-0')}").item_id
            wait_for(lambda uri=uri: archived(uri))
            stream_lags.append(time.monotonic() - posted)
            wait_for(lambda uri=uri: uri in bare.seen)
            bare_lags.append(bare.seen[uri] - posted)
        stop.set()
        bare.client.stop()

        burst_n = int(os.environ.get("BURST_N", "10000"))
        bursts = burst(net, [city(net, "stormlive"), city(net, "stormreplay"), city(net, "stormfloor")],
                       residents, burst_n)

        print("Lag: polling...", file=sys.stderr)
        # Lag, polling every POLL_SECONDS.
        stop = threading.Event()

        def poll() -> None:
            while not stop.is_set():
                capture_account(polled)
                stop.wait(POLL_SECONDS)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        poll_lags = []
        for i in range(LAG_POSTS // 3):
            time.sleep(POLL_SECONDS * (i % 3) / 3)
            posted = time.monotonic()
            uri = residents[i % 5].publish(f"Polled reply {i}", f"lag-p-{i}",
                                           reply_to=f"at://{polled_adapter.did}/app.bsky.feed.post/"
                                                    f"{tid_for('p-post-0')}").item_id
            wait_for(lambda uri=uri: archived(uri))
            poll_lags.append(time.monotonic() - posted)
        stop.set()
        poller.join()

    print("Lag: Mastodon user stream...", file=sys.stderr)
    mastodon_lags, mastodon_bare = mastodon_stream_lags(agency, archived)
    s50, s95 = percentiles(stream_lags)
    b50, b95 = percentiles(bare_lags)
    p50, p95 = percentiles(poll_lags)
    platform_rows = contract_platform_rows(n)
    print(f"\nCapture benchmark, local Bluesky network, {n:,} replies an account\n")
    print("| measure | Civic Social | baseline | ratio |\n|---|---|---|---|")
    print(f"| poll throughput, items/s | {poll_items / poll_seconds:,.0f} | "
          f"{listed / list_seconds:,.0f} (listing alone) | {list_seconds / poll_seconds:.2f} |")
    print(f"| firehose throughput, items/s | {stream_items / stream_seconds:,.0f} | "
          f"{2 * n / bare_seconds:,.0f} (bare reader) | "
          f"{(stream_items / stream_seconds) / (2 * n / bare_seconds):.2f} |")
    print(f"| firehose lag p50 | {s50 * 1000:.0f} ms | {b50 * 1000:.0f} ms (event seen) | "
          f"{s50 / b50:.1f}x |")
    print(f"| firehose lag p95 | {s95 * 1000:.0f} ms | {b95 * 1000:.0f} ms (event seen) | "
          f"{s95 / b95:.1f}x |")
    print(f"| burst of {burst_n:,} replies, items/s archived | {bursts['items_per_s']:,.0f} | "
          f"{bursts['bare_per_s']:,.0f} (bare reader) | "
          f"{bursts['items_per_s'] / bursts['bare_per_s']:.2f} (goal >= 0.50) |")
    print(f"| the same captures, archiving alone (decoded ahead), items/s | "
          f"{bursts['archive_per_s']:,.0f} | {bursts['bare_per_s']:,.0f} (bare reader) | "
          f"{bursts['archive_per_s'] / bursts['bare_per_s']:.2f} |")
    print(f"| the same burst triaged by one worker process, items/s | {bursts['triage_per_s']:,.0f} | "
          f"{bursts['items_per_s']:,.0f} (archived) | "
          f"{bursts['triage_per_s'] / bursts['items_per_s']:.2f} |")
    print(f"| burst of {bursts['live_count']:,.0f} live replies, lag p95 | "
          f"{bursts['lag_p95'] * 1000:,.0f} ms | "
          f"{bursts['seen_p95'] * 1000:,.0f} ms (event seen) | "
          f"{bursts['lag_p95'] / bursts['seen_p95']:.1f}x (goal <= 2x) |")
    print(f"| burst of {bursts['live_count']:,.0f} live replies, in the inbox p95 (a worker triages) | "
          f"{bursts['inbox_p95'] * 1000:,.0f} ms | "
          f"{bursts['seen_p95'] * 1000:,.0f} ms (event seen) | "
          f"{bursts['inbox_p95'] / bursts['seen_p95']:.1f}x |")
    m50, m95 = percentiles(mastodon_lags)
    mb50, mb95 = percentiles(mastodon_bare)
    print(f"| Mastodon stream lag p50 | {m50 * 1000:.0f} ms | {mb50 * 1000:.0f} ms (event seen) | "
          f"{m50 / mb50:.1f}x |")
    print(f"| Mastodon stream lag p95 | {m95 * 1000:.0f} ms | {mb95 * 1000:.0f} ms (event seen) | "
          f"{m95 / mb95:.1f}x |")
    print(f"| polled lag p50 (every {POLL_SECONDS:.0f} s) | {p50 * 1000:.0f} ms | "
          f"{POLL_SECONDS * 500:.0f} ms (half the interval) | {p50 / (POLL_SECONDS / 2):.1f}x |")
    print(f"| polled lag p95 (every {POLL_SECONDS:.0f} s) | {p95 * 1000:.0f} ms | "
          f"{POLL_SECONDS * 1000:.0f} ms (the interval) | {p95 / POLL_SECONDS:.1f}x |")
    print("\n".join(platform_rows))


if __name__ == "__main__":
    main()
