"""Capture and publishing through a misbehaving network: a proxy injects 429s with
Retry-After, 500s, timeouts, dropped connections and truncated bodies into 30% of the
requests. Every item is archived exactly once; every publish appears exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from civicsocial.platforms.adapters.bluesky import BlueskyAdapter
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.models import CaptureState
from civicsocial.platforms.retry import RetryPolicy
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.platforms.tests.faults import FAULTS, FaultProxy
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem, ItemVersion
from civicsocial.testing import BaseTestCase

FAST = RetryPolicy(attempts=10, base=0.05, cap=0.5)


class FaultTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.network = shared_network()
        self.handle, self.password = new_account("faults")
        self.account = self.approved_account(handle=self.handle,
                                             url=f"https://bsky.app/profile/{self.handle}")
        self.city = adapter(self.handle, self.password)
        self.residents = [adapter(*new_account("resident")) for _ in range(3)]

    def faulty(self, proxy: FaultProxy) -> BlueskyAdapter:
        return BlueskyAdapter(proxy.url, self.handle, self.password, timeout=1.0, retry=FAST)

    def test_it_archives_every_item_exactly_once_through_faults(self):
        known = []
        for n in range(6):
            post = self.city.publish(f"Notice {n}", f"f1-post-{n}")
            known.append(post.item_id)
            for r, resident in enumerate(self.residents):
                known.append(resident.publish(f"Reply {r} to {n}", f"f1-{n}-{r}",
                                              reply_to=post.item_id).item_id)
        runs = []
        with FaultProxy(self.network.pds, rate=0.3, seed=11) as proxy:
            while len(runs) < 10 and not set(proxy.injected) >= set(FAULTS):
                # every run rereads everything: the archive must still store nothing twice
                CaptureState.objects.filter(account=self.account).update(cursor="")
                runs.append(capture_account(self.account, self.faulty(proxy)))
        self.assertTrue(all(r.ok for r in runs), [r.error for r in runs])
        self.assertTrue(set(proxy.injected) >= set(FAULTS), proxy.injected)  # each fault met
        items = ArchivedItem.objects.filter(stream__account=self.account)
        ids = Counter(items.values_list("platform_id", flat=True))
        self.assertEqual({i for i in ids if i in known}, set(known))
        self.assertEqual(max(ids.values()), 1)
        posts = ItemVersion.objects.filter(item__stream__account=self.account, item__kind__in=[
            "post", "comment"])
        self.assertEqual(posts.count(), len(known))  # one version each: nothing twice
        self.assertTrue(verify().ok)

    def test_it_publishes_exactly_once_through_faults(self):
        with FaultProxy(self.network.pds, rate=0.3, seed=5) as proxy:
            faulty = self.faulty(proxy)
            published = [faulty.publish(f"Alert {n}", f"f2-{n}") for n in range(20)]
        self.assertGreater(sum(proxy.injected.values()), 5)
        texts = Counter(c["text"] for c in self.city.read_since("").captures)
        for n in range(20):
            self.assertEqual(texts[f"Alert {n}"], 1, n)
        self.assertEqual(len({p.item_id for p in published}), 20)
        # Some creates got through with their answer lost, and were found, not redone:
        self.assertTrue(any(not p.created for p in published), proxy.injected)

    def test_it_waits_as_long_as_retry_after_asks(self):
        waits: list[float] = []
        with FaultProxy(self.network.pds, rate=1.0, seed=1, retry_after="2") as proxy:
            proxy._rng.choice = lambda faults: "429"  # type: ignore[method-assign]
            faulty = BlueskyAdapter(proxy.url, self.handle, self.password, timeout=1.0,
                                    retry=RetryPolicy(attempts=3, base=0.01), sleep=waits.append)
            report = capture_account(self.account, faulty)  # the adapter is given: no secret needed
        self.assertFalse(report.ok)
        self.assertIn("rate limited", report.error)
        self.assertEqual(len(waits), 2)
        self.assertTrue(all(w >= 2 for w in waits), waits)


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network, pytest.mark.slow]
