"""P12 (issue 19): a scheduled post goes through the city's vendor. Tested against the
Hootsuite contract server (hootsuite_server.py, from Hootsuite's published API
description), which at the message's time posts to the local Bluesky network; capture
then archives the post and links it to its draft."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from civicsocial.ops.hootsuite_server import HootsuiteContractServer
from civicsocial.platforms import hootsuite
from civicsocial.platforms.adapters.base import MediaFile
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.oauth import store_tokens
from civicsocial.platforms.tests.bluesky import registered_account
from civicsocial.publishing import compose, sending
from civicsocial.publishing.models import Route, TargetState
from civicsocial.publishing.tests.base import PublishingCity, png
from civicsocial.registry.models import Role
from civicsocial.security import vault
from civicsocial.security.models import SecretKind
from civicsocial.testing import BaseTestCase


class HootsuiteCity(PublishingCity):
    """A Bluesky account on the local network served by the Hootsuite contract server,
    the vendor's secret and refresh token in the vault."""

    def setUp(self):
        self.account, self.city = registered_account(self, "vendor")
        self.ready_to_publish(self.account)

        def publish(profile, text, media):
            made = self.city.publish(text, secrets.token_hex(8),
                                     media=[MediaFile(data, kind, "") for data, kind in media])
            return made.item_id, made.url

        self.server = HootsuiteContractServer(
            [{"id": "115185509", "type": "BLUESKY", "socialNetworkUsername": self.account.handle},
             {"id": "115185510", "type": "TWITTER", "socialNetworkUsername": None}], publish).__enter__()
        self.addCleanup(self.server.__exit__)
        patcher = mock.patch.dict(os.environ, {
            "CIVICSOCIAL_HOOTSUITE_URL": self.server.url,
            "CIVICSOCIAL_HOOTSUITE_CLIENT_ID": self.server.state.client_id})
        patcher.start()
        self.addCleanup(patcher.stop)
        connection = hootsuite.connection()
        assert connection is not None
        vault.store(vault.Entry(connection.client_secret_name, "Hootsuite client secret",
                                SecretKind.CLIENT_SECRET), self.server.state.client_secret, None)
        store_tokens(connection, {"access_token": secrets.token_urlsafe(24), "expires_in": -60,
                                  "refresh_token": self.server.issue_refresh_token()}, None, "authorized")

    def approved(self, text, **changes):
        with self.captureOnCommitCallbacks(execute=False):
            draft = self.submitted(text=text, send_in=timedelta(hours=1), **changes)
            return self.approve(draft, self.person(Role.APPROVER))


class HootsuiteTestCase(HootsuiteCity, BaseTestCase):

    def test_it_schedules_through_the_vendor_and_links_the_archived_post(self):
        text = f"Pools open at 10 tomorrow ({secrets.token_hex(3)})"
        draft = self.approved(text, media=[compose.MediaInput("The pool", data=png(), filename="pool.png")])
        self.assertEqual(sending.dispatch()["scheduled"], 1)
        target = draft.targets.get()
        self.assertEqual((target.state, target.route), (TargetState.SCHEDULED, Route.VENDOR),
                         target.last_error)
        [message] = self.server.messages("SCHEDULED")
        self.assertEqual(message["text"], text)
        self.assertEqual(message["scheduledSendTime"], hootsuite.utc_z(draft.send_at))
        self.assertEqual(len(message["media"]), 1)
        self.assertEqual(self.server.run_due(timezone.now() + timedelta(hours=2)), 1)
        self.assertEqual(sending.dispatch(now=draft.send_at + timedelta(minutes=1))["checked"], 1)
        target.refresh_from_db()
        self.assertEqual(target.state, TargetState.SENT)
        self.assertTrue(target.platform_id.startswith("at://"))
        capture_account(self.account)
        target.refresh_from_db()
        self.assertIsNotNone(target.archived_item)
        self.assertEqual(target.archived_item.platform_id, target.platform_id)

    def test_it_schedules_once_when_a_worker_dies_after_the_vendor_took_it(self):
        text = f"Street fair on Saturday ({secrets.token_hex(3)})"
        draft = self.approved(text)
        real = sending._settle

        def die(target, **changes):
            if changes.get("state") == TargetState.SCHEDULED:
                raise SystemExit("killed")
            real(target, **changes)

        with mock.patch.object(sending, "_settle", die), self.assertRaises(SystemExit):
            sending.dispatch()
        self.assertEqual(len(self.server.messages()), 1)
        later = timezone.now() + sending.lease() + timedelta(seconds=1)
        self.assertEqual(sending.dispatch(now=later)["scheduled"], 1)
        target = draft.targets.get()
        self.assertEqual(target.state, TargetState.SCHEDULED)
        self.assertEqual(len(self.server.messages()), 1)
        self.assertEqual(target.vendor_message_id, self.server.messages()[0]["id"])

    def test_it_waits_out_rate_limits_and_server_errors(self):
        self.server.state.fail_next = [429, 500, 429]
        draft = self.approved("Snow emergency declared")
        sending.dispatch()
        self.assertEqual(draft.targets.get().state, TargetState.SCHEDULED)
        self.assertEqual(len(self.server.messages()), 1)

    def test_it_unschedules_at_the_vendor_when_the_account_is_frozen(self):
        draft = self.approved("Water main repair on Elm")
        sending.dispatch()
        self.assertEqual(len(self.server.messages("SCHEDULED")), 1)
        type(self.account).objects.filter(pk=self.account.pk).update(frozen_at=timezone.now())
        self.assertEqual(sending.unschedule_frozen(self.account.pk), 1)
        self.assertEqual(self.server.messages(), [])
        self.assertEqual(draft.targets.get().state, TargetState.UNSCHEDULED)

    def test_it_refreshes_the_token_with_basic_client_authentication(self):
        client = hootsuite.HootsuiteClient.configured()
        assert client is not None
        self.assertEqual(client.profile_id_for("bluesky", self.account.handle), "115185509")
        self.assertEqual(client.profile_id_for("mastodon", "@parks"), "")
