"""Issue 17: a duty taken by one worker is skipped by the others until it is given back
or its holder dies (the lease expires)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import time_machine
from django.test import TestCase
from django.utils import timezone

from civicsocial.duties.leases import acquire, lease, one_at_a_time
from civicsocial.duties.models import Lease
from civicsocial.testing import CommittedTestCase, at_once, races_on_postgres, raised

TTL = timedelta(minutes=5)


class LeaseTestCase(TestCase):
    def test_it_gives_the_duty_to_the_first_and_refuses_the_second(self):
        first, second = acquire("capture:1", TTL), acquire("capture:1", TTL)
        self.assertTrue(first)
        self.assertFalse(second)
        self.assertTrue(acquire("capture:2", TTL))  # another duty is free

    def test_it_hands_the_duty_over_when_its_holder_lets_it_expire(self):
        dead = acquire("firehose:bsky", TTL)
        with time_machine.travel(timezone.now() + TTL + timedelta(seconds=1)):
            taker = acquire("firehose:bsky", TTL)
            self.assertTrue(taker)
            self.assertFalse(dead.renew())  # the dead holder, woken, learns it lost it
            self.assertTrue(taker.renew())
        self.assertEqual(Lease.objects.get().holder, taker.holder)

    def test_it_takes_over_at_once_from_a_killed_process_of_this_machine(self):
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        here = socket.gethostname()
        for holder, taken in [(f"{here}:{gone}:t1", True),  # killed mid-duty
                              (f"{here}:{os.getppid()}:t2", False),  # alive
                              (f"elsewhere:{gone}:t3", False)]:  # another machine: wait it out
            Lease.objects.update_or_create(name="capture:1", defaults={
                "holder": holder, "acquired_at": timezone.now(), "expires_at": timezone.now() + TTL})
            self.assertEqual(bool(acquire("capture:1", TTL)), taken, holder)

    def test_it_runs_a_periodic_duty_once_and_never_stays_locked(self):
        runs = []

        @one_at_a_time("sweep", TTL)
        def sweep() -> None:
            runs.append(1)
            sweep_inner()  # a second worker's scheduler queued it too

        def sweep_inner() -> None:
            with lease("periodic:sweep", TTL) as again:
                self.assertFalse(again)

        sweep()
        sweep()  # the lease was given back
        self.assertEqual(len(runs), 2)
        Lease.objects.create(name="periodic:sweep", holder="elsewhere:1:dead", acquired_at=timezone.now(),
                             expires_at=timezone.now() + TTL)  # a worker killed mid-run, elsewhere
        sweep()
        self.assertEqual(len(runs), 2)  # skipped while its lease lasts...
        with time_machine.travel(timezone.now() + TTL * 2):
            sweep()
        self.assertEqual(len(runs), 3)  # ...and runs again once it lapsed (Huey's lock stayed)

    def test_it_keeps_the_duty_while_its_holder_renews(self):
        holder = acquire("firehose:bsky", TTL)
        with time_machine.travel(timezone.now() + TTL * 0.8):
            self.assertTrue(holder.renew())
        with time_machine.travel(timezone.now() + TTL * 1.6):
            self.assertFalse(acquire("firehose:bsky", TTL))

    def test_it_gives_the_duty_back_at_the_end_whatever_happens(self):
        with self.assertRaises(RuntimeError), lease("capture:1", TTL) as held:
            self.assertTrue(held)
            raise RuntimeError("the platform broke")
        self.assertFalse(Lease.objects.exists())
        self.assertTrue(acquire("capture:1", TTL))

    def test_it_never_releases_another_holders_lease(self):
        lost = acquire("capture:1", TTL)
        with time_machine.travel(timezone.now() + TTL * 2):
            taker = acquire("capture:1", TTL)
            lost.held = True  # as if it still believed it held it
            lost.release()
        self.assertEqual(Lease.objects.get().holder, taker.holder)


@races_on_postgres
class LeaseRaceTestCase(CommittedTestCase):
    def test_it_gives_a_duty_to_exactly_one_of_eight_workers(self):
        for name in ("new", "expired"):
            if name == "expired":
                Lease.objects.create(name="duty:expired", holder="dead", acquired_at=timezone.now(),
                                     expires_at=timezone.now() - TTL)
            duty = f"duty:{name}"
            results = at_once(*[lambda duty=duty: bool(acquire(duty, TTL))] * 8)
            self.assertEqual(raised(results), [])
            self.assertEqual(results.count(True), 1, name)
