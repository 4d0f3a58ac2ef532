"""Issue 17: one firehose consumer per service across all workers. Every worker runs the
stream duty; one leads, the others stand by; when the leader stops, another takes over
from the saved cursor, and every reply is archived once."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db import connections

from civicsocial.platforms import bluesky_stream
from civicsocial.platforms.bluesky_stream import consume_forever
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem
from civicsocial.testing import (
    WorkersTestCase,
    overlapping,
    races_on_postgres,
    record_runs,
    wait_for,
    workers_running,
)


@races_on_postgres
class FirehoseLeaderTestCase(WorkersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.network = shared_network()
        handle, password = new_account("leader")
        self.account = self.approved_account(handle=handle, url=f"https://bsky.app/profile/{handle}")
        self.city = adapter(handle, password)
        self.resident = adapter(*new_account("resident"))
        # which workers lead now, and each consumer's (service, began, ended)
        self.leading, self.sessions = record_runs(self, bluesky_stream.FirehoseConsumer,
                                                  lambda consumer: consumer.service)

    def replies(self, post_text: str, n: int) -> list[str]:
        post = self.city.publish(post_text, f"post-{post_text}")
        return [self.resident.publish(f"{post_text} reply {i}", f"{post_text}-{i}",
                                      reply_to=post.item_id).item_id for i in range(n)]

    def archived(self, uris: list[str]) -> bool:
        return ArchivedItem.objects.filter(platform_id__in=uris).count() == len(uris)

    def test_it_consumes_with_one_worker_and_hands_over_when_it_stops(self):
        def worker(stop: threading.Event) -> None:
            try:
                consume_forever(self.network.pds, stop, 0.2, 2.0, timedelta(seconds=3))
            finally:
                connections.close_all()

        with workers_running(worker) as stops:
            first = self.replies("before", 10)
            wait_for(lambda: self.archived(first))
            [leader] = self.leading
            stops[leader].set()  # the leader goes away
            second = self.replies("after", 10)
            wait_for(lambda: self.archived(second))
            self.assertEqual(self.leading, set(stops) - {leader})  # the other took over
        self.assertEqual(overlapping(self.sessions), [])  # never two consumers at once
        twice = ArchivedItem.objects.filter(platform_id__in=first + second, versions__gt=1)
        self.assertEqual(twice.count(), 0)
        self.assertTrue(verify().ok)
