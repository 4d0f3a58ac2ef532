"""Issue 17: one user stream per Mastodon account across all workers. Every worker starts
the account's stream thread; one follows it, the others stand by; when the follower stops,
another takes over (catching up on what it missed), and every reply is archived once."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from unittest import mock

from civicsocial.platforms import live
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.mastodon_stream import MastodonStream
from civicsocial.platforms.tests.mastodon import adapter, shared_server, token
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
class MastodonStreamLeaderTestCase(WorkersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = shared_server()
        self.account = self.approved_account(platform="mastodon", handle="@transit",
                                             url=f"{self.server.base_url}/@transit")
        self.city, self.resident = adapter("transit"), adapter("resident")
        for patcher in (mock.patch.dict(os.environ, {secret_variable("mastodon", "@transit"):
                                                     token("transit")}),
                        mock.patch.object(live, "LEADER_TTL", timedelta(seconds=3))):
            patcher.start()
            self.addCleanup(patcher.stop)
        # which workers follow now, and each follower's (account, began, ended)
        self.following, self.sessions = record_runs(self, MastodonStream,
                                                    lambda stream: stream.account.pk, 0.2, 2.0)

    def replies(self, text: str, n: int) -> list[str]:
        post = self.city.publish(text, f"leader-{text}")
        return [self.resident.publish(f"@transit {text} {i}", f"leader-{text}-{i}",
                                      reply_to=post.item_id).item_id for i in range(n)]

    def archived(self, uris: list[str]) -> bool:
        return ArchivedItem.objects.filter(platform_id__in=uris).count() == len(uris)

    def test_it_follows_with_one_worker_and_hands_over_when_it_stops(self):
        def worker(stop: threading.Event) -> None:
            live.follow_stream(MastodonStream(self.account), stop)

        with workers_running(worker) as stops:
            wait_for(lambda: len(self.following) == 1)
            first = self.replies("before", 5)
            wait_for(lambda: self.archived(first))
            [leader] = self.following
            stops[leader].set()  # the follower goes away
            second = self.replies("after", 5)
            wait_for(lambda: self.archived(second))
            self.assertEqual(self.following, set(stops) - {leader})  # the other took over
        self.assertEqual(overlapping(self.sessions), [])  # never two followers at once
        twice = ArchivedItem.objects.filter(platform_id__in=first + second, versions__gt=1)
        self.assertEqual(twice.count(), 0)
        self.assertTrue(verify().ok)
