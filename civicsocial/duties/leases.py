"""Leases (issue 17): a duty that must not run twice at once (one account's capture, the
firehose consumer of a service) takes a lease in the database first. Take it outside
any transaction: inside one, the other workers cannot see it until the commit. Whoever does not
get it skips the duty or waits; whoever holds it renews it while it works; a worker that
dies leaves its lease to expire, and another takes the duty over.

    with lease(f"capture:{account.pk}", ttl=timedelta(minutes=10)) as held:
        if not held:
            return  # another worker is on it
        ...
"""

from __future__ import annotations

import functools
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from civicsocial.duties.models import Lease

STANDBY_CHECK = 2.0  # seconds between a standby worker's asks for a duty it does not lead


@dataclass
class Held:
    """A lease this worker took: `held` is False when another worker has the duty."""

    name: str
    holder: str
    ttl: timedelta
    held: bool

    def __bool__(self) -> bool:
        return self.held

    def renew(self) -> bool:
        """Extend the lease; False when it was lost (it expired and another took it):
        the holder must then stop the duty."""
        self.held = self.held and _renew(self.name, self.holder, self.ttl)
        return self.held

    def release(self) -> None:
        """Give the duty back at once (others need not wait for the expiry)."""
        if self.held:
            Lease.objects.filter(name=self.name, holder=self.holder).delete()
            self.held = False


def holder_id() -> str:
    """Who is asking: this machine and process, and a token for this one lease (so two
    threads of one process are two holders)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def acquire(name: str, ttl: timedelta) -> Held:
    """Take the lease on `name` for `ttl` if nobody holds it (or its holder let it expire)."""
    holder = holder_id()
    return Held(name, holder, ttl, _take(name, holder, ttl))


def is_held(name: str) -> bool:
    """Whether some worker holds `name` now."""
    return Lease.objects.filter(name=name, expires_at__gt=timezone.now()).exists()


def _take(name: str, holder: str, ttl: timedelta) -> bool:
    """Take `name` for a new holder: the lapsed lease, a dead local holder's, or a new one."""
    now = timezone.now()
    # One statement decides: the database's row lock (PostgreSQL) or write lock (SQLite)
    # lets only one of two racing workers match the row.
    if Lease.objects.filter(name=name, expires_at__lte=now).update(
            holder=holder, acquired_at=now, expires_at=now + ttl):
        return True
    dead = _dead_holder_here(name)
    if dead and Lease.objects.filter(name=name, holder=dead).update(
            holder=holder, acquired_at=now, expires_at=now + ttl):
        return True  # its holder was a process of this machine that no longer runs
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
    except IntegrityError:
        return False  # someone else holds it
    return True


def _renew(name: str, holder: str, ttl: timedelta) -> bool:
    """Extend `holder`'s lease on `name`; False when it is no longer theirs."""
    return bool(Lease.objects.filter(name=name, holder=holder)
                .update(expires_at=timezone.now() + ttl))


def _dead_holder_here(name: str) -> str:
    """The holder of `name` if it was a process on this machine that has died (killed
    mid-duty): its lease need not be waited out. "" otherwise."""
    holder = Lease.objects.filter(name=name).values_list("holder", flat=True).first() or ""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return ""
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return holder
    except PermissionError:
        return ""  # it exists, under another user
    return ""


@contextmanager
def lease(name: str, ttl: timedelta) -> Iterator[Held]:
    """`acquire`, and release at the end whatever happens."""
    held = acquire(name, ttl)
    try:
        yield held
    finally:
        held.release()


def while_leading(name: str, ttl: timedelta, stop: threading.Event,
                  duty: Callable[[threading.Event], object]) -> None:
    """Leader election for a duty one worker runs for all (the firehose consumer of a
    service): until `stop` is set, whichever worker holds the lease on `name` runs
    `duty(stopping)`, renewing the lease every third of `ttl`; the others wait and try
    again. `stopping` is set when `stop` is, or when the lease was lost (the worker
    stalled past `ttl` and another took over): `duty` must then return. A worker that
    dies leaves the lease to expire, and another takes the duty over within `ttl`."""
    while not stop.is_set():
        held = acquire(name, ttl)
        if not held:  # ask again soon: a leader killed on this machine is replaced at once
            stop.wait(min(ttl.total_seconds() / 3, STANDBY_CHECK))
            continue
        stopping, ended = threading.Event(), threading.Event()
        threading.Thread(target=_keep, args=(held, stop, stopping, ended), daemon=True,
                         name=f"lease-{name}").start()
        try:
            duty(stopping)
        finally:
            ended.set()
            stopping.set()
            held.release()


def _keep(held: Held, stop: threading.Event, stopping: threading.Event,
          ended: threading.Event) -> None:
    """Renew `held` until the duty has `ended`; set `stopping` when `stop` is set (checked
    often, so that a worker asked to stop lets go at once) or when the lease is lost. A
    duty asked to stop keeps the lease until it has returned: a Mastodon catch-up run
    still finishing must not overlap its successor's."""
    renew_every = held.ttl.total_seconds() / 3
    step = min(1.0, renew_every)
    waited = 0.0
    try:
        while not ended.is_set():
            if stopping.is_set():
                ended.wait(step)
            elif stop.wait(step):
                stopping.set()
                continue
            waited += step
            if waited >= renew_every:
                waited = 0.0
                if not held.renew():
                    break
    finally:
        stopping.set()
        connections.close_all()  # this thread's own connection


Duty = Callable[[], object]


def one_at_a_time(name: str, ttl: timedelta = timedelta(minutes=15)) -> Callable[[Duty], Callable[[], None]]:
    """For a periodic duty every worker's scheduler queues: the run that gets the lease
    does it, the others skip. Unlike a lock with no expiry (Huey's lock_task), a worker
    killed mid-run leaves nothing that blocks the duty for good."""

    def decorate(duty: Duty) -> Callable[[], None]:
        @functools.wraps(duty)
        def run() -> None:
            with lease(f"periodic:{name}", ttl) as held:
                if held:
                    duty()

        return run

    return decorate
