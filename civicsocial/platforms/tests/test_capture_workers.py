"""Issue 17: capture with several workers. One account is polled by one worker at a
time (its lease), every reply is archived once whoever captured it, and an account that
fails in a way nobody foresaw is recorded as failed without stopping the others."""

from __future__ import annotations

import threading
import time
from unittest import mock

from civicsocial.platforms import capture
from civicsocial.platforms.capture import capture_account, capture_due
from civicsocial.platforms.models import CaptureState
from civicsocial.platforms.tests.bluesky import adapter, new_account, registered_account
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem
from civicsocial.testing import (
    BaseTestCase,
    WorkersTestCase,
    at_once,
    overlapping,
    races_on_postgres,
    raised,
)


class CaptureFailureTestCase(BaseTestCase):
    def test_it_records_an_unforeseen_failure_and_captures_the_other_accounts(self):
        broken, _ = registered_account(self, "broken")
        working, city = registered_account(self, "working")
        post = city.publish("Still captured", "w-post")
        real = capture.adapter_for

        def adapter_for(account):
            if account == broken:
                raise ValueError("a payload nobody foresaw")
            return real(account)

        with mock.patch.object(capture, "adapter_for", adapter_for), \
                self.assertLogs("civicsocial.platforms.capture", "ERROR"):
            reports = {r.account: r for r in capture_due()}
        self.assertFalse(reports[broken.handle].ok)
        self.assertIn("a payload nobody foresaw", CaptureState.objects.get(account=broken).last_error)
        self.assertTrue(reports[working.handle].ok, reports[working.handle].error)
        self.assertTrue(ArchivedItem.objects.filter(platform_id=post.item_id).exists())


@races_on_postgres
class CaptureRaceTestCase(WorkersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.runs: list[tuple[int, float, float]] = []
        self.lock = threading.Lock()
        real = capture._capture

        def timed(account, adapter):  # when each run held the account
            began = time.monotonic()
            try:
                return real(account, adapter)
            finally:
                with self.lock:
                    self.runs.append((account.pk, began, time.monotonic()))

        patcher = mock.patch.object(capture, "_capture", timed)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_polls_an_account_with_one_worker_at_a_time(self):
        account, city = registered_account(self, "race")
        resident = adapter(*new_account("resident"))
        posts = [city.publish(f"Notice {n}", f"r-post-{n}") for n in range(5)]
        replies = [resident.publish(f"Reply {n}", f"r-{n}", reply_to=posts[n % 5].item_id)
                   for n in range(40)]
        reports = at_once(*[lambda: capture_account(account)] * 4)
        self.assertEqual(raised(reports), [])
        self.assertTrue(all(r.ok for r in reports), [r.error for r in reports])
        self.assertGreaterEqual(sum(r.busy for r in reports), 1)  # the others were told
        self.assertEqual(overlapping(self.runs), [])
        archived = ArchivedItem.objects.filter(stream__account=account)
        self.assertTrue({r.item_id for r in replies} <= set(archived.values_list("platform_id", flat=True)))
        self.assertEqual(archived.filter(versions__gt=1).count(), 0)  # none stored twice
        self.assertTrue(verify().ok)

    def test_it_shares_the_due_accounts_among_workers_without_overlap(self):
        accounts = [registered_account(self, f"due{n}")[0] for n in range(3)]
        reports = at_once(capture_due, capture_due, capture_due)
        self.assertEqual(raised(reports), [])
        done = [r for rs in reports for r in rs if not r.busy]
        self.assertTrue(all(r.ok for r in done), [r.error for r in done])
        self.assertEqual({r.account for r in done}, {a.handle for a in accounts})
        self.assertEqual(overlapping(self.runs), [])
        self.assertTrue(verify().ok)
