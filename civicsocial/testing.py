"""The base test case: two agencies, a person in every role in each, and a citywide
ODS admin, so every feature can also prove `test_it_validates_ownership` (the other
agency gets 403 or 404)."""

from __future__ import annotations

import threading
import time
import unittest
import unittest.mock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import TestCase as PlainTestCase

import time_machine
from django.db import connection, connections
from django.test import Client, TestCase, TransactionTestCase
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry import roles, services
from civicsocial.registry.models import (
    AccountType,
    Agency,
    Application,
    Person,
    PersonKind,
    Platform,
    Role,
)
from civicsocial.security.appendonly import guards_lifted

AGENCY_ROLES = [r for r in Role if r != Role.ODS_ADMIN]


def freeze_clock(test: PlainTestCase, at: datetime | None = None) -> datetime:
    """Stop the clock for the rest of `test`, at `at` (by default the real now, so the
    test still runs on whatever day it is). For tests that read "today" and then ask the
    code under test, which reads it again: midnight must not pass in between (issue 11).
    Only Python's wall clock stops; monotonic time and timeouts run on."""
    at = at or timezone.now()
    traveller = time_machine.travel(at, tick=False)
    traveller.start()
    test.addCleanup(traveller.stop)
    return at


def logged_in(person: Person, client: Client | None = None) -> Client:
    """`client` (a new one by default) logged in as `person`, second factor passed (as
    after a real TOTP check)."""
    client = client or Client()
    client.force_login(person)
    device, _ = TOTPDevice.objects.get_or_create(user=person, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def make_person(username: str, kind: str = PersonKind.EMPLOYEE, password: str | None = None,
                **extra: Any) -> Person:
    person = Person(username=username, first_name=username.title(), last_name="Tester",
                    email=f"{username}@example.org", kind=kind, **extra)
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    return person


def current_code(person: Person) -> str:
    device = TOTPDevice.objects.get(user=person, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


class TwoAgencies:
    """`self.alpha` and `self.bravo` are agencies; `self.people["alpha"][role]` holds a
    person with that role there; `self.ods` is the citywide ODS admin."""

    ods: Person
    alpha: Agency
    bravo: Agency
    people: dict[str, dict[str, Person]]
    client: Client

    @classmethod
    def make_agencies(cls) -> None:
        """The two agencies and their people."""
        cls.ods = make_person("ods")
        roles.grant_role(None, cls.ods, None, Role.ODS_ADMIN)
        cls.alpha = Agency.objects.create(name="Alpha Department", slug="alpha",
                                          email_domains="alpha.nyc.gov")
        cls.bravo = Agency.objects.create(name="Bravo Department", slug="bravo",
                                          email_domains="bravo.nyc.gov,bravo.example")
        cls.people = {}
        for agency in (cls.alpha, cls.bravo):
            cls.people[agency.slug] = {}
            for role in AGENCY_ROLES:
                person = make_person(f"{agency.slug}-{role}")
                roles.grant_role(None, person, agency, role)  # as the command line would
                cls.people[agency.slug][role] = person

    def person(self, role: str, agency: str = "alpha") -> Person:
        return self.ods if role == Role.ODS_ADMIN else self.people[agency][role]

    def login(self, person: Person, client: Client | None = None) -> Client:
        """Log in as `person`, second factor passed (as after a real TOTP check)."""
        return logged_in(person, client or self.client)

    def application_data(self, agency: Agency | None = None, **changes: Any) -> dict[str, Any]:
        agency = agency or self.alpha
        data: dict[str, Any] = {
            "agency": agency, "platform": Platform.BLUESKY, "handle": "@alpha_news",
            "url": "https://bsky.example/alpha_news", "account_type": AccountType.AGENCY,
            "owner": None, "topic_limited": False, "topic_statement": "",
            "sensitive_audience": False, "login_identity": f"social@{agency.domain_list()[0]}",
            "justification": "Residents on Bluesky need service alerts from Alpha.",
            "continuity_plan": "Two admins in the digital unit; credentials in the vault.",
        }
        data.update(changes)
        return data

    def submitted_application(self, **changes: Any) -> Application:
        data = self.application_data(**changes)
        admin = self.people[data["agency"].slug][Role.AGENCY_ADMIN]
        return services.create_application(admin, data)

    def approved_account(self, **changes: Any) -> Any:
        application = self.submitted_application(**changes)
        return services.decide_application(self.ods, application, True, "Meets P2.").account

    def trained(self, person: Person, days_ago: int = 10) -> Person:
        services.record_training(self.ods, person, timezone.localdate() - timedelta(days=days_ago))
        return person



class BaseTestCase(TwoAgencies, TestCase):
    """The two agencies and their people, made once per class (each test gets them as
    they were: Django rolls back what a test changes)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.make_agencies()

# -- several workers at once (issue 17) -----------------------------------------------------

# SQLite takes its write lock when a transaction begins (IMMEDIATE), so two workers never
# interleave their writes there; PostgreSQL lets them, which is where races show. The
# tests of races therefore run on PostgreSQL (`make test` runs that pass too).
races_on_postgres = unittest.skipUnless(
    connection.vendor == "postgresql",
    "races need PostgreSQL: SQLite runs one write transaction at a time")


def at_once(*duties: Callable[[], Any], timeout: float = 120) -> list[Any]:
    """Run each duty in a thread of its own (a worker with its own database connection),
    all released together; returns each one's result, or the exception it raised."""
    start = threading.Barrier(len(duties))
    results: list[Any] = [None] * len(duties)

    def worker(n: int, duty: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[n] = duty()
        except BaseException as error:  # reported to the test, never lost in a thread
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n, d), daemon=True) for n, d in enumerate(duties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"a worker ran past {timeout:.0f} s")
    return results


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Wait until `condition()` is true (what other threads or processes bring about), or
    fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout:.0f} s")
        time.sleep(0.2)


def record_runs(case: PlainTestCase, cls: type, key: Callable[[Any], object],
                *args: object) -> tuple[set[str], list[tuple[Any, float, float]]]:
    """For the test `case`, patch `cls.run(self, stop)` (a stream duty) to note which worker
    threads are running it now and each run's (key(self), began, ended); `args` go to the
    real run after `stop`. Returns (the running set, the runs) for `overlapping`."""
    running: set[str] = set()
    runs: list[tuple[Any, float, float]] = []
    real = cls.run  # type: ignore[attr-defined]

    def run(duty: Any, stop: threading.Event) -> None:
        worker, began = threading.current_thread().name, time.monotonic()
        running.add(worker)
        try:
            real(duty, stop, *args)
        finally:
            running.discard(worker)
            runs.append((key(duty), began, time.monotonic()))

    patcher = unittest.mock.patch.object(cls, "run", run)
    patcher.start()
    case.addCleanup(patcher.stop)
    return running, runs


@contextmanager
def workers_running(duty: Callable[[threading.Event], object], names: tuple[str, ...] = (
        "worker-a", "worker-b")) -> Iterator[dict[str, threading.Event]]:
    """Threads named `names`, each running `duty(stop)` as a worker would: yields each
    one's stop event (set one to stop that worker); all are stopped and joined after."""
    stops = {name: threading.Event() for name in names}
    threads = [threading.Thread(target=duty, name=name, daemon=True, args=(stop,))
               for name, stop in stops.items()]
    for thread in threads:
        thread.start()
    try:
        yield stops
    finally:
        for stop in stops.values():
            stop.set()
        for thread in threads:
            thread.join(30)


def overlapping(runs: list[tuple[Any, float, float]]) -> list[tuple[Any, float, float]]:
    """Of `runs` (what, began, ended), those that began before an earlier run of the
    same `what` had ended: a duty that ran twice at once."""
    found: list[tuple[Any, float, float]] = []
    ends: dict[Any, float] = {}
    for run in sorted(runs, key=lambda r: r[1]):
        if run[1] < ends.get(run[0], float("-inf")):
            found.append(run)
        ends[run[0]] = max(ends.get(run[0], float("-inf")), run[2])
    return found


def raised(results: list[Any]) -> list[BaseException]:
    """The exceptions among `at_once`'s results."""
    return [r for r in results if isinstance(r, BaseException)]


class CommittedTestCase(TransactionTestCase):
    """A test whose writes are committed, so other connections see them: workers in
    threads, migrations. Django empties every table afterwards, which the append-only
    guards rightly refuse; here, in the throwaway test database, they are lifted for
    that emptying only and put back at once, so the next test meets them as before."""

    def _fixture_teardown(self) -> None:
        with guards_lifted() as cursor:
            # The search index is not a Django model: Django's flush does not empty it.
            cursor.execute("DELETE FROM records_searchindex")
            super()._fixture_teardown()  # type: ignore[misc]  # Django's, untyped in the stubs


class WorkersTestCase(TwoAgencies, CommittedTestCase):
    """The two agencies, committed, for tests that run duties as several workers."""

    def setUp(self) -> None:
        super().setUp()
        type(self).make_agencies()
