"""What an operator's tools ask the app (issue 17): is it alive (/healthz, no database),
is it ready (/readyz: the database and the queue answer), and how is it doing (/metrics,
Prometheus's text format, read from the database at each scrape so every web process
tells the same numbers however many run)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


def readiness() -> dict[str, str]:
    """{part: "ok" or what is wrong} for the database and the queue."""
    parts = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        parts["database"] = "ok"
    except Exception as error:  # any failure is the answer, not a 500
        parts["database"] = f"unavailable: {type(error).__name__}"
    try:
        HUEY.pending_count()
        parts["queue"] = "ok"
    except Exception as error:
        parts["queue"] = f"unavailable: {type(error).__name__}"
    return parts


class CityCollector(Collector):
    """The numbers an on-call person watches, from the database."""

    def collect(self) -> Iterator[Metric]:
        yield from _capture()
        yield _gauge("civicsocial_queue_depth", "Background tasks waiting in the queue",
                     HUEY.pending_count())
        yield from _inbox()
        yield from _archive()


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _capture() -> Iterator[Metric]:
    from civicsocial.platforms.models import CaptureState

    lag = GaugeMetricFamily("civicsocial_capture_lag_seconds",
                            "Posted to archived, newest items of the account's last capture",
                            labels=["platform", "account"])
    age = GaugeMetricFamily("civicsocial_capture_last_success_age_seconds",
                            "Seconds since the account's last successful capture",
                            labels=["platform", "account"])
    now = timezone.now()
    for state in CaptureState.objects.select_related("account"):
        labels = [state.account.platform, state.account.handle]
        if state.last_lag_seconds is not None:
            lag.add_metric(labels, state.last_lag_seconds)
        if state.last_success_at is not None:
            age.add_metric(labels, (now - state.last_success_at).total_seconds())
    yield lag
    yield age


def _inbox() -> Iterator[Metric]:
    from civicsocial.inbox.models import InboxEntry, InboxLabel
    from civicsocial.inbox.review import clocks
    from civicsocial.registry.models import Account

    yield CounterMetricFamily("civicsocial_triaged", "Incoming items triaged into an inbox",
                              value=InboxEntry.objects.count())
    labels = CounterMetricFamily("civicsocial_triage_labels", "Triage labels given, by label",
                                 labels=["label"])
    for row in InboxLabel.objects.values("label").annotate(n=Count("id")).order_by("label"):
        labels.add_metric([row["label"]], row["n"])
    yield labels
    yield _gauge("civicsocial_review_overdue_accounts", "Accounts overdue for their daily review (P21)",
                 sum(c.overdue for c in clocks(Account.objects.all())))


def _archive() -> Iterator[Metric]:
    from civicsocial.records.models import ItemVersion

    yield CounterMetricFamily("civicsocial_archived_versions", "Versions kept in the archive",
                              value=ItemVersion.objects.count())


def metrics_text(collector: Any = None) -> bytes:
    """The metrics in Prometheus's text format."""
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector or CityCollector())
    return bytes(generate_latest(registry))
