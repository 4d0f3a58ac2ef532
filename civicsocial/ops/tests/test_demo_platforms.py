"""The live demo's Facebook, Instagram, X and YouTube (ops/demo_platforms.py): every registered
demo account on those platforms is captured from the contract servers, with residents'
comments reaching the inbox, and a Facebook comment reaching the app through Meta's Webhooks."""

from __future__ import annotations

import os
import random
from unittest import mock

from django.test import TestCase

from civicsocial.inbox.models import InboxEntry
from civicsocial.inbox.services import triage_new_items
from civicsocial.ops.demo_city import load_demo_city
from civicsocial.ops.demo_platforms import PLATFORMS, demo_platforms
from civicsocial.platforms.capture import capturable_accounts, capture_account
from civicsocial.platforms.models import CaptureState, WebhookDelivery
from civicsocial.platforms.webhooks import receive
from civicsocial.records.models import ArchivedItem


class DemoPlatformsTestCase(TestCase):
    def test_it_captures_every_account_on_the_four_platforms_with_residents_commenting(self):
        said: list[str] = []
        load_demo_city()
        with (
            mock.patch.dict(os.environ),
            demo_platforms(said.append, "http://127.0.0.1:9", every=3600) as servers,
        ):
            servers.rng = random.Random(3)
            for _ in range(40):
                servers.step()
            accounts = [a for p in PLATFORMS for a in capturable_accounts(platform=p)]
            self.assertEqual({a.platform for a in accounts}, set(PLATFORMS))
            reports = [capture_account(account) for account in accounts]
            self.assertEqual([r.error for r in reports if not r.ok], [])
            for platform in PLATFORMS:  # posts, comments and the profile of each platform
                kinds = set(
                    ArchivedItem.objects.filter(stream__account__platform=platform).values_list(
                        "kind", flat=True
                    )
                )
                self.assertTrue({"post", "profile"} <= kinds, (platform, kinds))
            self.assertTrue(
                ArchivedItem.objects.filter(kind="comment")
                .exclude(stream__account__platform__in=["bluesky", "mastodon"])
                .exists()
            )
            triage_new_items()
            self.assertTrue(InboxEntry.objects.filter(item__stream__account__platform__in=PLATFORMS).exists())
            facebook = next(a for a in accounts if a.platform == "facebook")
            page = CaptureState.objects.get(account=facebook).platform_user_id
            post = next(
                p for p in servers.graph.objects.values() if p["type"] == "post" and p["owner"] == page
            )
            body, headers = servers.graph.delivery(servers.graph.comment(post["id"], "J. Kim", "Is it open?"))
            with mock.patch("civicsocial.platforms.tasks.capture_accounts_now"):
                self.assertEqual(receive(body, headers["X-Hub-Signature-256"]).status, 200)
            self.assertEqual(WebhookDelivery.objects.get().account, facebook)
        self.assertIn("contract servers on loopback", said[0])
