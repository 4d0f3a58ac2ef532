"""Capture from Facebook, Instagram, X and YouTube through a misbehaving network: the fault
proxy (429s with Retry-After, 500s, timeouts, dropped connections, cut-off bodies) between
each adapter and its platform's contract server, on 30% of the requests. Every post and
comment is archived exactly once; nothing half-read is stored (P25, P27)."""

from __future__ import annotations

from collections import Counter
from unittest import skipIf

from django.db import connection

from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.models import CaptureState
from civicsocial.platforms.retry import RetryPolicy
from civicsocial.platforms.tests.faults import FAULTS, FaultProxy
from civicsocial.platforms.tests.worlds import WORLDS
from civicsocial.records.integrity import verify
from civicsocial.records.models import ArchivedItem
from civicsocial.testing import BaseTestCase

FAST = RetryPolicy(attempts=12, base=0.02, cap=0.2)


@skipIf(connection.vendor == "postgresql", "the SQLite pass runs it: the faults are the adapters' to survive")
class ContractFaultTestCase(BaseTestCase):
    def check(self, platform: str) -> None:
        world = WORLDS[platform]()
        account = self.approved_account(
            platform=platform, handle=world.handle, url=f"https://{platform}.example/nycparks"
        )
        runs = []
        with FaultProxy(world.service, rate=0.3, seed=13) as proxy:
            while len(runs) < 12 and not set(proxy.injected) >= set(FAULTS):
                CaptureState.objects.filter(account=account).update(cursor="")  # reread everything
                adapter = world.build(proxy.url, timeout=0.5, retry=FAST)
                runs.append(capture_account(account, adapter))
        self.assertTrue(set(proxy.injected) >= set(FAULTS), proxy.injected)
        self.assertTrue(any(r.ok for r in runs), [r.error for r in runs])
        ids = Counter(
            ArchivedItem.objects.filter(stream__account=account)
            .exclude(kind="profile")
            .values_list("platform_id", flat=True)
        )
        self.assertEqual(set(ids), world.expected)  # everything, and nothing else (no removal by mistake)
        self.assertEqual(max(ids.values()), 1)
        self.assertFalse(ArchivedItem.objects.filter(stream__account=account, deleted=True).exists())
        self.assertTrue(
            all(
                i.version_set.count() == 1
                for i in ArchivedItem.objects.filter(stream__account=account).exclude(kind="profile")
            )
        )
        self.assertTrue(verify().ok)

    def test_it_captures_facebook_exactly_once_through_faults(self):
        self.check("facebook")

    def test_it_captures_instagram_exactly_once_through_faults(self):
        self.check("instagram")

    def test_it_captures_x_exactly_once_through_faults(self):
        self.check("x")

    def test_it_captures_youtube_exactly_once_through_faults(self):
        self.check("youtube")
