"""The soak test (issue 17): `make soak`, bounded by SOAK_MINUTES (default 10).

A city as it runs in production, on one machine: PostgreSQL (DATABASE_URL, from
scripts/with-postgres.sh), Redis (Debian's redis-server, started here on 127.0.0.1), two
web processes, SOAK_WORKERS Huey workers (default 3) on the Redis queue, and the local
Bluesky network with SOAK_ACCOUNTS city accounts (default 50) and residents replying
SOAK_RATE times a second (default 4), deleting some replies and reporting hazards. Every
SOAK_KILL_EVERY seconds (default 60) a random worker is killed (SIGKILL) and a new one
started. At the end, once the queue has drained, it checks what the city relies on and
prints a table; the exit status is 0 only when every check passes.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicsocial.ops.redis_server import RedisUnavailable, free_port, start_redis

HAZARD = "There is a deep pothole at {n} Flatbush Ave, my bike went down"
QUIET = 240.0  # how long the end waits for the queue and capture to catch up (seconds)
WARM = 30.0  # a process's first memory sample, once it has started and warmed up (seconds)
STEADY = 300.0  # memory growth is judged on processes that ran at least this long


def _number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass
class Settings:
    minutes: float = field(default_factory=lambda: _number("SOAK_MINUTES", 10))
    workers: int = field(default_factory=lambda: int(_number("SOAK_WORKERS", 3)))
    accounts: int = field(default_factory=lambda: int(_number("SOAK_ACCOUNTS", 50)))
    rate: float = field(default_factory=lambda: _number("SOAK_RATE", 4))
    kill_every: float = field(default_factory=lambda: _number("SOAK_KILL_EVERY", 60))
    seed: int = field(default_factory=lambda: int(_number("SOAK_SEED", time.time())))


@dataclass
class Process:
    """One process of the city, its log, and its memory after warming up and at the end."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    started: float
    rss_start: int = 0
    rss_end: int = 0


@dataclass
class Published:
    """What the residents did, to compare with what the city kept."""

    replies: dict[str, float] = field(default_factory=dict)  # uri -> when (epoch seconds)
    deleted: set[str] = field(default_factory=set)
    hazards: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def rss_kib(pid: int) -> int:
    """Resident memory of a process (KiB), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class City:
    """The processes of the city, started with one environment."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.web: list[Process] = []
        self.workers: list[Process] = []
        self.retired: list[Process] = []
        self.killed = 0

    def _start(self, name: str, *args: str) -> Process:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen([sys.executable, "-m", "civicsocial.cli", *args], env=self.env,
                                     stdout=out, stderr=subprocess.STDOUT)
        return Process(name, popen, log, time.monotonic())

    def start_web(self, n: int) -> list[str]:
        urls = []
        for i in range(n):
            port = free_port()
            self.web.append(self._start(f"web-{i}", "serve", "--no-worker", "--port", str(port)))
            urls.append(f"http://127.0.0.1:{port}")
        return urls

    def start_worker(self) -> None:
        n = len(self.workers) + len(self.retired)
        self.workers.append(self._start(f"worker-{n}", "worker", "--workers", "2"))

    def kill_one(self, rng: random.Random) -> str:
        """SIGKILL a random worker (nothing it held is given back) and start another."""
        victim = self.workers.pop(rng.randrange(len(self.workers)))
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait()
        self.retired.append(victim)
        self.killed += 1
        self.start_worker()
        return victim.name

    def sample_memory(self, warm: float) -> None:
        """Note each process's memory once it has run `warm` seconds, and now as its last."""
        for process in [*self.web, *self.workers]:
            rss = rss_kib(process.popen.pid)
            if not process.rss_start and time.monotonic() - process.started >= warm:
                process.rss_start = rss
            if rss:
                process.rss_end = rss

    def stop(self) -> None:
        for process in [*self.web, *self.workers]:
            process.popen.terminate()
        for process in [*self.web, *self.workers]:
            try:
                process.popen.wait(20)
            except subprocess.TimeoutExpired:
                process.popen.kill()


class Residents:
    """Residents replying to the city's posts, deleting some replies, reporting hazards."""

    def __init__(self, network: Any, posts: list[str], rng: random.Random) -> None:
        from civicsocial.platforms.adapters.bluesky import BlueskyAdapter

        self.posts, self.rng = posts, rng
        self.people = []
        for n in range(8):
            handle, password = f"resident{n}-{secrets.token_hex(3)}.test", secrets.token_urlsafe(12)
            network.create_account(handle, password)
            self.people.append(BlueskyAdapter(network.pds, handle, password))
        self.done = Published()
        self._mine: list[tuple[Any, str]] = []

    def step(self, n: int) -> None:
        from civicsocial.ops.demo_comments import resident_reply

        roll = self.rng.random()
        if roll < 0.05 and self._mine:
            author, uri = self._mine.pop(self.rng.randrange(len(self._mine)))
            author.delete(uri)
            with self.done.lock:
                self.done.deleted.add(uri)
            return
        hazard = roll > 0.95
        text = HAZARD.format(n=100 + n) if hazard else resident_reply(self.rng)
        author = self.rng.choice(self.people)
        uri = author.publish(text, f"soak-{n}-{secrets.token_hex(4)}",
                             reply_to=self.rng.choice(self.posts)).item_id
        with self.done.lock:
            self.done.replies[uri] = time.time()
            if hazard:
                self.done.hazards.add(uri)
        self._mine.append((author, uri))

    def run(self, stop: threading.Event, rate: float) -> None:
        n = 0
        while not stop.wait(self.rng.expovariate(rate)):
            n += 1
            try:
                self.step(n)
            except Exception as error:  # the network is busy: noted, the soak goes on
                self.done.errors.append(str(error)[:200])


def web_traffic(urls: list[str], stop: threading.Event, failures: list[str]) -> None:
    """Someone keeps opening the app on each web process: /healthz and the login page."""
    while not stop.wait(0.5):
        for url in urls:
            for path in ("/healthz", "/login/"):
                try:
                    with urllib.request.urlopen(url + path, timeout=10) as answer:
                        if answer.status != 200:
                            failures.append(f"{url}{path}: {answer.status}")
                except Exception as error:
                    failures.append(f"{url}{path}: {error}")


def setup_city(network: Any, count: int, env: dict[str, str]) -> list[str]:
    """The agency, its counsel and `count` accounts on the network, each with a post; the
    accounts' passwords go into the workers' environment only."""
    from civicsocial.ops.demo_comments import city_post
    from civicsocial.platforms.adapters.bluesky import BlueskyAdapter
    from civicsocial.platforms.credentials import secret_variable
    from civicsocial.registry.models import Account, Agency, Person, Role
    from civicsocial.registry.roles import grant_role

    agency = Agency.objects.create(name="Soak Department", slug="soak", email_domains="soak.nyc.gov")
    counsel = Person.objects.create(username="soak-counsel", email="counsel@soak.nyc.gov")
    grant_role(None, counsel, agency, Role.COUNSEL)
    rng, posts = random.Random(1), []
    for n in range(count):
        handle, password = f"soakcity{n}-{secrets.token_hex(3)}.test", secrets.token_urlsafe(12)
        network.create_account(handle, password)
        env[secret_variable("bluesky", handle)] = password
        Account.objects.create(agency=agency, platform="bluesky", handle=handle,
                               url=f"https://bsky.app/profile/{handle}",
                               login_identity=f"social{n}@soak.nyc.gov")
        city = BlueskyAdapter(network.pds, handle, password)
        posts.append(city.publish(city_post(rng), f"soak-post-{n}").item_id)
    return posts


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return condition()


def checks(done: Published, city: City, mail_dir: Path, web_failures: list[str],
           minutes: float) -> list[Check]:
    """What the city relies on, after the run."""
    from django.db.models import Count
    from huey.contrib.djhuey import HUEY

    from civicsocial.inbox.models import InboxEntry, InboxLabel
    from civicsocial.records.integrity import verify
    from civicsocial.records.models import ArchivedItem, ItemVersion, LegalHold

    replies = set(done.replies)
    live = replies - done.deleted

    def archived() -> dict[str, tuple[int, bool]]:
        return {uri: (versions, deleted) for uri, versions, deleted in ArchivedItem.objects.filter(
            platform_id__in=replies).values_list("platform_id", "versions", "deleted")}

    def caught_up() -> bool:
        kept = archived()
        return HUEY.pending_count() == 0 and kept.keys() == replies and all(
            kept[u][1] for u in done.deleted) and \
            InboxEntry.objects.filter(item__platform_id__in=replies).count() == len(replies)

    settled = _wait(caught_up, QUIET)
    kept = archived()
    wrong = [u for u in replies if kept.get(u) != ((2, True) if u in done.deleted else (1, False))]
    entries = InboxEntry.objects.filter(item__platform_id__in=replies)
    labelled = set(InboxLabel.objects.filter(label="dangerous_condition", entry__in=entries)
                   .values_list("entry__item__platform_id", flat=True))
    holds = dict(LegalHold.objects.filter(item__platform_id__in=labelled, reason__contains="P24")
                 .values_list("item__platform_id").annotate(n=Count("id")))
    told_count = sum(f.read_text(errors="replace").count("Subject: Possible legal notice")
                     for f in mail_dir.glob("*.log"))
    tracebacks = [f"{p.name}: {line.strip()}" for p in [*city.web, *city.workers, *city.retired]
                  for line in _after_traceback(p.log)]
    lags = sorted(max((at.timestamp() - done.replies[uri]), 0.0) for uri, at in ItemVersion.objects.filter(
        item__platform_id__in=live, version_no=1).values_list("item__platform_id", "archived_at"))
    report = verify()
    city.sample_memory(warm=WARM)  # the end, for the check and the table alike
    # Growth is judged on the processes that ran STEADY seconds or more: a worker started
    # a minute ago is still reaching its high-water mark (its first full polling round).
    long_lived = [p for p in [*city.web, *city.workers]
                  if p.rss_start and p.rss_end and time.monotonic() - p.started >= STEADY]
    growth = max((p.rss_end / p.rss_start - 1 for p in long_lived), default=0.0)
    enforce_memory = minutes >= 5  # a short run ends inside the warm-up of its caches
    return [
        Check("queue drained, capture caught up", settled, f"{HUEY.pending_count()} task(s) pending"),
        Check("every reply archived once, with its versions", not wrong,
              f"{len(replies)} replies, {len(wrong)} wrong" + (
                  f": {wrong[0]} (versions, removed) {kept.get(wrong[0])}, "
                  f"{'removed' if wrong[0] in done.deleted else 'kept'} on the network"
                  if wrong else "")),
        Check("every removal recorded", all(kept.get(u, (0, False))[1] for u in done.deleted),
              f"{len(done.deleted)} removals"),
        Check("every reply triaged once", entries.count() == len(replies),
              f"{entries.count()} inbox entries for {len(replies)} replies"),
        Check("every hazard held once", all(holds.get(u) == 1 for u in labelled),
              f"{len(labelled)} comments labelled a dangerous condition ({len(done.hazards)} "
              f"written as hazards), {sum(holds.values())} holds"),
        Check("counsel told once per hazard", told_count == len(labelled),
              f"{told_count} legal-notice e-mails"),
        Check("archive verify", report.ok,
              f"{report.checked} versions checked, {len(report.problems)} problems"
              + (f": {report.problems[0][:300]}" if report.problems else "")),
        Check("no unhandled exception in any log", not tracebacks,
              tracebacks[0][:150] if tracebacks else f"{len(city.retired) + len(city.workers)} workers"),
        Check("web processes answered", not web_failures,
              web_failures[0][:150] if web_failures else "every /healthz and login page"),
        Check("capture lag p50 / p95", bool(lags),
              f"{statistics.median(lags):.1f} s / {_p95(lags):.1f} s" if lags else "nothing archived"),
        Check("memory growth under 10%", growth < 0.10 or not enforce_memory,
              f"largest {growth:+.0%} over the {len(long_lived)} processes that ran "
              f"{STEADY / 60:.0f} minutes or more"
              + ("" if enforce_memory else " (not judged under 5 minutes)")),
    ]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def _after_traceback(log: Path) -> list[str]:
    """The last line of each traceback in a log (the exception itself)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found, inside = [], False
    for line in lines:
        if line.startswith("Traceback"):
            inside = True
        elif inside and line and not line.startswith((" ", "\t")):
            found.append(line)
            inside = False
    return found


def main() -> int:
    settings = Settings()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("The soak runs on PostgreSQL: scripts/with-postgres.sh python -m "
                         "civicsocial.ops.soak (make soak does).")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    work = Path(os.environ.get("SOAK_DIR") or Path("var") / "soak" / stamp)
    (work / "logs").mkdir(parents=True, exist_ok=True)
    mail_dir = work / "mail"
    try:
        redis, redis_url = start_redis(work)
    except RedisUnavailable as error:
        raise SystemExit(str(error)) from None
    env = {**os.environ, "CIVICSOCIAL_DEBUG": "1", "CIVICSOCIAL_REDIS_URL": redis_url,
           "CIVICSOCIAL_VAR_DIR": str(work / "var"), "CIVICSOCIAL_EMAIL_DIR": str(mail_dir),
           "CIVICSOCIAL_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "CIVICSOCIAL_CAPTURE_INTERVAL": "60"}
    os.environ.update({k: env[k] for k in ("CIVICSOCIAL_REDIS_URL", "CIVICSOCIAL_VAR_DIR",
                                            "CIVICSOCIAL_DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicsocial.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from huey.contrib.djhuey import HUEY

    from civicsocial.ops.network import BlueskyNetwork

    call_command("migrate", verbosity=0)
    HUEY.flush()
    rng = random.Random(settings.seed)
    stop, web_failures = threading.Event(), list[str]()
    print(f"Soak: {settings.minutes:g} min, {settings.workers} workers, {settings.accounts} accounts, "
          f"{settings.rate:g} replies/s, a worker killed every {settings.kill_every:g} s, "
          f"seed {settings.seed}; logs in {work}", flush=True)
    with BlueskyNetwork() as network:
        env["CIVICSOCIAL_BLUESKY_SERVICE"] = network.pds
        posts = setup_city(network, settings.accounts, env)
        residents = Residents(network, posts, rng)
        city = City(env, work / "logs")
        try:
            urls = city.start_web(2)
            if not _wait(lambda: all(_answers(u + "/healthz") for u in urls), 60):
                raise SystemExit("the web processes did not start")  # before anyone knocks
            for _ in range(settings.workers):
                city.start_worker()
            threads = [threading.Thread(target=residents.run, args=(stop, settings.rate), daemon=True),
                       threading.Thread(target=web_traffic, args=(urls, stop, web_failures), daemon=True)]
            for thread in threads:
                thread.start()
            began = next_kill = time.monotonic()
            next_kill += settings.kill_every
            while time.monotonic() - began < settings.minutes * 60:
                time.sleep(1)
                city.sample_memory(warm=WARM)
                if time.monotonic() >= next_kill:
                    print(f"  {time.monotonic() - began:5.0f} s: killed {city.kill_one(rng)}, "
                          f"{len(residents.done.replies)} replies so far", flush=True)
                    next_kill += settings.kill_every
            stop.set()
            for thread in threads:
                thread.join(30)
            print("Waiting for the queue and capture to catch up...", flush=True)
            results = checks(residents.done, city, mail_dir, web_failures, settings.minutes)
        finally:
            city.stop()
            redis.terminate()
    print(f"\nSoak: {settings.minutes:g} min, {len(residents.done.replies)} replies "
          f"({len(residents.done.deleted)} removed, {len(residents.done.hazards)} hazards), "
          f"{city.killed} workers killed, {len(residents.done.errors)} publishing errors\n")
    print("| check | result | detail |\n|---|---|---|")
    for check in results:
        print(f"| {check.name} | {'pass' if check.passed else 'FAIL'} | {check.detail} |")
    print("\n| process | ran | memory after 30 s | at the end | growth |\n|---|---|---|---|---|")
    for process in [*city.web, *city.workers]:
        if process.rss_start:
            print(f"| {process.name} | {(time.monotonic() - process.started) / 60:.0f} min | "
                  f"{process.rss_start / 1024:.0f} MiB | {process.rss_end / 1024:.0f} MiB | "
                  f"{process.rss_end / process.rss_start - 1:+.0%} |")
    return 0 if all(c.passed for c in results) else 1


if __name__ == "__main__":
    sys.exit(main())
