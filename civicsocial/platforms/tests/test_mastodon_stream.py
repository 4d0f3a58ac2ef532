"""Live capture of a Mastodon account from its user stream: its statuses, replies that
mention it, edits and deletions are archived as they arrive; each (re)connection is
followed by a catch-up run for what the stream missed (P25, P27)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest

from civicsocial.platforms import mastodon_stream
from civicsocial.platforms.adapters.mastodon import MastodonAdapter
from civicsocial.platforms.capture import CaptureReport
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.mastodon_stream import Event, MastodonStream
from civicsocial.platforms.tests.mastodon import adapter, shared_server, token
from civicsocial.platforms.tests.streams import run_until_stopped
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, ItemVersion
from civicsocial.testing import BaseTestCase


class MastodonStreamTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = shared_server()
        self.account = self.approved_account(platform="mastodon", handle="@transit",
                                             url=f"{self.server.base_url}/@transit")
        self.city, self.resident, self.stranger = adapter("transit"), adapter("resident"), \
            adapter("stranger")
        patcher = mock.patch.dict(os.environ, {secret_variable("mastodon", "@transit"):
                                               token("transit")})
        patcher.start()
        self.addCleanup(patcher.stop)

    def follow_until(self, done: Callable[[], bool], act: Callable[[], None] | None,
                     timeout: float = 20) -> MastodonStream:
        """Run the stream in this thread (it shares the test's transaction); `act` runs
        once the stream is connected and caught up, and the run stops when `done` is true.
        With no `act`, the run stops as soon as it is caught up (an event, not a wait)."""
        stream = MastodonStream(self.account)
        stop = threading.Event()
        original_handle, original_follow = stream.handle, stream._follow
        acting: list[threading.Thread] = []

        def handle(event: Event) -> None:
            original_handle(event)
            if done():
                stop.set()

        def follow(*args: Any) -> None:
            if act is None:
                stop.set()  # connected and caught up: nothing more to see
            elif not acting:  # once: a reconnection must not post the same things again
                acting.append(threading.Thread(target=act, daemon=True))
                acting[0].start()
            original_follow(*args)

        stream.handle = handle  # type: ignore[method-assign]
        stream._follow = follow  # type: ignore[method-assign]
        run_until_stopped(stream.run, stop, timeout)
        # Nothing this test started may run on into the next one: posts an `act` made late
        # on the shared server were read by a later test as its own (seen under
        # `make test-clock`, where all runs slower: three posts "made outside Civic Social").
        for thread in acting:
            thread.join(timeout)
            self.assertFalse(thread.is_alive(), "the test's actions did not finish")
        return stream

    def catch_up(self) -> MastodonStream:
        """Connect, catch up on what happened while away, and stop."""
        return self.follow_until(lambda: True, None)

    def archived(self, uri: str) -> ArchivedItem | None:
        return ArchivedItem.objects.filter(platform_id=uri, stream__account=self.account).first()

    def test_it_archives_posts_and_replies_as_they_happen(self):
        made: dict[str, str] = {}

        def act() -> None:
            made["post"] = self.city.publish("Buses on time today", "ms1-post").item_id
            made["comment"] = self.resident.publish("@transit not the M15", "ms1-comment",
                                                    reply_to=made["post"]).item_id
            made["unrelated"] = self.stranger.publish("Nice weather", "ms1-other").item_id

        self.follow_until(lambda: "comment" in made and self.archived(made["comment"]) is not None,
                          act)
        self.assertEqual(self.archived(made["post"]).kind, "post")
        comment = self.archived(made["comment"])
        self.assertEqual(comment.kind, "comment")
        self.assertEqual(comment.version_set.get().content.parent_id, made["post"])
        self.assertIsNone(self.archived(made["unrelated"]))
        self.assertTrue(verify().ok)

    def test_it_catches_up_on_what_happened_while_it_was_away(self):
        missed = self.city.publish("Posted while the worker was down", "ms2-missed").item_id
        reply = self.resident.publish("@transit and now?", "ms2-reply", reply_to=missed).item_id
        stream = self.catch_up()
        self.assertIsNotNone(self.archived(missed))
        self.assertIsNotNone(self.archived(reply))
        self.assertEqual(stream.archived, 0)  # the catch-up run archived them, not the stream

    def test_it_catches_up_itself_when_another_worker_was_capturing(self):
        # Issue 17: a worker that takes the stream over while another worker's capture
        # run holds the account (`busy`) must not count that run as its catch-up: the
        # other run may have listed before this stream connected.
        post = self.city.publish("Ferry schedule changes", "ms6-post")
        reply = self.resident.publish("@transit what about Sundays?", "ms6-reply",
                                      reply_to=post.item_id)
        real, runs = mastodon_stream.capture_account, []

        def capture(account: Any, adapter: Any = None) -> CaptureReport:
            runs.append(account)  # the first two find another worker's run under way
            if len(runs) <= 2:
                return CaptureReport(account=account.handle, ok=True, busy=True, error="busy")
            return real(account, adapter)

        with mock.patch.object(mastodon_stream, "CATCH_UP_RETRY", 0.05), \
                mock.patch.object(mastodon_stream, "capture_account", capture):
            self.catch_up()
        self.assertEqual(len(runs), 3)
        self.assertIsNotNone(self.archived(reply.item_id))

    def test_it_archives_deletions_of_the_accounts_statuses(self):
        post = self.city.publish("Wrong detour map", "ms3-post").item_id
        self.catch_up()  # archived by the catch-up

        self.follow_until(lambda: self.archived(post).deleted, lambda: self.city.delete(post))
        versions = ItemVersion.objects.filter(item__platform_id=post).order_by("version_no")
        self.assertEqual([v.change for v in versions], ["created", "deleted"])
        self.assertEqual(versions[0].content.text, "Wrong detour map")  # the original is kept

    def test_it_reconnects_and_catches_up_when_the_connection_drops(self):
        made: dict[str, str] = {}
        opened: list[object] = []
        stream = MastodonStream(self.account)
        original_open = stream.adapter.open_stream
        stop = threading.Event()

        def open_stream(listener: object) -> object:
            if opened:  # the stream is down: a post and a reply come in before it is back
                made["post"] = self.city.publish("Service change", "ms4-post").item_id
                made["reply"] = self.resident.publish("@transit why?", "ms4-reply",
                                                      reply_to=made["post"]).item_id
            connection = original_open(listener)  # type: ignore[arg-type]
            opened.append(connection)
            if len(opened) == 1:
                connection.close()  # the first connection drops at once
            else:
                stop.set()  # the catch-up after this connection still runs
            return connection

        stream.adapter.open_stream = open_stream  # type: ignore[method-assign]
        threading.Timer(20, stop.set).start()
        stream.run(stop, pause=0.1)
        self.assertEqual(len(opened), 2)
        self.assertIsNotNone(self.archived(made["reply"]))
        self.assertEqual(ItemVersion.objects.filter(item__platform_id=made["reply"]).count(), 1)

    def test_it_validates_ownership(self):
        # A reply in another city account's thread is not archived under this one.
        other = MastodonAdapter(self.server.base_url, "@parks", token("parks"))
        made: dict[str, str] = {}

        def act() -> None:
            made["post"] = other.publish("Parks post", "ms5-post").item_id
            made["reply"] = self.resident.publish("@parks hello", "ms5-reply",
                                                  reply_to=made["post"]).item_id
            made["own"] = self.city.publish("Transit post", "ms5-own").item_id

        self.follow_until(lambda: "own" in made and self.archived(made["own"]) is not None, act)
        self.assertFalse(ArchivedItem.objects.filter(platform_id__in=[made["post"], made["reply"]])
                         .exists())


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
