"""The live demo (`make demo` runs `civicsocial serve --live-demo`): the demo city's
Bluesky accounts on the real local network, residents replying, and the ordinary
capture archiving it all (P25, P27), with the branding audit (P8) and the P1 list."""

from __future__ import annotations

import os
import random
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, TestCase, override_settings

from civicsocial.inbox.models import InboxEntry
from civicsocial.inbox.services import triage_new_items
from civicsocial.ops.demo_city import demo_profile, load_demo_city
from civicsocial.ops.live_demo import IMPOSTOR, LiveDemo, live_demo
from civicsocial.passes import sqlite_pass_only
from civicsocial.platforms.capture import capturable_accounts, capture_account
from civicsocial.platforms.credentials import secret_variable
from civicsocial.platforms.models import StreamCursor
from civicsocial.platforms.tests.bluesky import shared_network
from civicsocial.policy.models import BrandingAudit
from civicsocial.policy.unregistered import unregistered_accounts
from civicsocial.records.models import ArchivedItem, ItemKind
from civicsocial.registry.models import Person
from civicsocial.security import vault


class LiveDemoTestCase(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.environ = mock.patch.dict(os.environ)  # the demo's credentials go no further
        cls.environ.start()
        load_demo_city()
        StreamCursor.objects.create(service=shared_network().pds, seq=10**9)  # a stale position
        cls.demo = LiveDemo(shared_network(), rng=random.Random(7))
        cls.demo.provision()
        cls.accounts = capturable_accounts(platform="bluesky")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.environ.stop()
        super().tearDownClass()

    def test_it_puts_every_registered_bluesky_account_on_the_network(self):
        self.assertEqual(self.demo.skipped, [])
        self.assertEqual(len(self.demo.city), len(self.accounts))
        self.assertGreaterEqual(len(self.accounts), 5)
        self.assertEqual(os.environ["CIVICSOCIAL_BLUESKY_SERVICE"], shared_network().pds)
        for account in self.accounts:  # in the vault, as production keeps them (P13)
            self.assertTrue(vault.reveal(account.secret_name))
            self.assertNotIn(secret_variable("bluesky", account.handle), os.environ)
        self.assertFalse(StreamCursor.objects.filter(service=shared_network().pds).exists())

    def test_it_captures_the_accounts_posts_and_audits_their_profiles(self):
        for account in self.accounts:
            report = capture_account(account)
            self.assertTrue(report.ok, report.error)
            posts = ArchivedItem.objects.filter(stream__account=account, kind=ItemKind.POST)
            self.assertEqual(posts.count(), 2)
            audit = BrandingAudit.objects.filter(account=account).latest("pk")
            # P8: the live profile's picture shows the city's mark, and its bio links the
            # user policy, exactly when the demo city says the account is branded.
            on_network = next(a for a in self.demo.city if a.handle == account.handle.lstrip("@"))
            self.assertEqual(audit.snapshot.item.platform_id,
                             f"at://{on_network.did}/app.bsky.actor.profile/self")
            self.assertEqual(audit.passed, demo_profile(account).branded, audit.failures)
            logo_missing = any("city logo" in f or "no profile picture" in f for f in audit.failures)
            policy_missing = any("user policy" in f for f in audit.failures)
            self.assertEqual(logo_missing, not demo_profile(account).branded, audit.failures)
            self.assertEqual(policy_missing, not demo_profile(account).branded, audit.failures)

    def test_it_keeps_residents_replying_and_archives_every_reply_once(self):
        events = [self.demo.step() for _ in range(40)]
        impostor = next(r for r in self.demo.residents if r.handle.startswith(IMPOSTOR[0]))
        self.demo.replies.append((impostor, impostor.publish("NYC Help here: DM us your account "
                                                             "number", "impostor-1",
                                                             reply_to=self.demo.posts[0]).item_id))
        for account in self.accounts:
            self.assertTrue(capture_account(account).ok)
        replied = {uri for _, uri in self.demo.replies}
        comments = ArchivedItem.objects.filter(kind=ItemKind.COMMENT, stream__platform="bluesky")
        self.assertEqual(set(comments.values_list("platform_id", flat=True)), replied)
        self.assertEqual(comments.filter(versions__gt=1).count(), 0)
        self.assertTrue(any("replied" in e for e in events))
        handles = [a.handle for a in unregistered_accounts()]
        self.assertIn(f"{IMPOSTOR[0]}.test", handles)  # P1: claims the city, not registered

    def test_it_fills_the_inboxes_with_triaged_replies(self):
        for _ in range(30):
            self.demo.step()
        for account in self.accounts:
            capture_account(account)
        triage_new_items()
        entries = InboxEntry.objects.filter(account__in=self.accounts)
        comments = ArchivedItem.objects.filter(kind=ItemKind.COMMENT, stream__account__in=self.accounts)
        self.assertEqual(set(entries.values_list("item__platform_id", flat=True)),
                         set(comments.values_list("platform_id", flat=True)))
        self.assertTrue(any(e.labels for e in entries))
        moderator = Person.objects.get(username="dot-moderator")
        client = Client()
        client.force_login(moderator)
        self.assertContains(client.get("/inbox/"), "Daily review")

    def test_it_keeps_a_reply_the_resident_deleted(self):
        resident = self.demo.residents[0]
        uri = resident.publish("Wrong post, sorry", "deleted-1", reply_to=self.demo.posts[1]).item_id
        city = next(a for a in self.demo.city if self.demo.posts[1].startswith(f"at://{a.did}/"))
        account = next(a for a in self.accounts if a.handle == f"@{city.handle}")
        capture_account(account)
        resident.delete(uri)
        capture_account(account)
        item = ArchivedItem.objects.get(platform_id=uri)
        self.assertTrue(item.deleted)  # P27: removed on the platform, kept here
        self.assertEqual(item.versions, 2)

    def test_it_schedules_demo_posts_through_the_vendor_onto_the_network(self):
        """Issue 19: approved demo posts go to the Hootsuite contract server (P12), which
        posts them on the network at their time; capture links each to its draft."""
        from datetime import timedelta

        from django.utils import timezone

        from civicsocial.ops.demo_publishing import load_demo_posts
        from civicsocial.ops.demo_vendor import demo_vendor
        from civicsocial.publishing.models import Target, TargetState
        from civicsocial.publishing.sending import dispatch

        load_demo_posts(random.Random(7))
        said: list[str] = []
        with demo_vendor(self.demo.city, said.append) as server:
            self.assertIn("3 approved post(s) go out in the next 12 minutes", said[0])
            later = timezone.now() + timedelta(minutes=20)
            counts = dispatch()
            self.assertGreaterEqual(counts["scheduled"], 3)
            self.assertGreaterEqual(server.run_due(later), 3)
            dispatch(now=later)
        sent = Target.objects.filter(state=TargetState.SENT, platform_id__startswith="at://") \
            .select_related("account").first()
        assert sent is not None
        capture_account(sent.account)
        sent.refresh_from_db()
        self.assertIsNotNone(sent.archived_item)


class LiveDemoStartTestCase(TestCase):
    def test_it_runs_without_the_network_and_says_why(self):
        said: list[str] = []
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_BLUESKY_CACHE": "/nonexistent"}), \
                live_demo(said.append) as demo:
            self.assertIsNone(demo)
        self.assertIn("not installed", said[0])

    @override_settings(DEBUG=False)
    def test_it_refuses_outside_development_mode(self):
        with self.assertRaisesRegex(CommandError, "development mode only"):
            call_command("serve", "--live-demo", stdout=StringIO())


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
# The demo is the same on either engine.
pytestmark = [pytest.mark.network, pytest.mark.slow, sqlite_pass_only]
