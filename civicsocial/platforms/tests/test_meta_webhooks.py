"""Meta's Webhooks (platforms/webhooks.py): the verification handshake, and notifications from
the Graph API contract server that start a capture; a wrong signature, a replay, an unknown
page and a huge body are refused with nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from unittest import mock

from django.urls import reverse

from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.models import WebhookDelivery
from civicsocial.platforms.tests.graph import facebook, instagram, new_page, shared_server
from civicsocial.testing import BaseTestCase

URL = "/webhooks/meta/"


class MetaWebhookTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = shared_server()
        self.page, self.user, self.token = new_page()
        secrets = {"CIVICSOCIAL_META_APP_SECRET": self.server.app_secret,
                   "CIVICSOCIAL_META_VERIFY_TOKEN": "verify-me"}
        patcher = mock.patch.dict("os.environ", secrets)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.queued: list[list[int]] = []
        queue = mock.patch("civicsocial.platforms.tasks.capture_accounts_now", self.queued.append)
        queue.start()
        self.addCleanup(queue.stop)
        self.account = self.approved_account(platform="facebook", handle="@nycparks",
                                             url="https://www.facebook.com/nycparks")
        capture_account(self.account, facebook(self.token))  # learns the Page's id
        self.post = self.server.post(self.page, "Pools open Saturday")

    def deliver(self, body: bytes, headers: dict[str, str]):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, body, content_type="application/json",
                                    headers={"X-Hub-Signature-256": headers["X-Hub-Signature-256"]})

    def test_it_answers_the_verification_challenge_only_with_the_citys_token(self):
        self.assertEqual(reverse("meta-webhook"), URL)
        good = self.client.get(URL, {"hub.mode": "subscribe", "hub.challenge": "1158201444",
                                     "hub.verify_token": "verify-me"})
        self.assertEqual((good.status_code, good.content), (200, b"1158201444"))
        bad = self.client.get(URL, {"hub.mode": "subscribe", "hub.challenge": "1158201444",
                                    "hub.verify_token": "guess"})
        self.assertEqual(bad.status_code, 403)
        self.assertNotIn(b"1158201444", bad.content)

    def test_it_keeps_a_signed_notification_and_captures_the_account_now(self):
        comment = self.server.comment(self.post, "Maria Ortiz", "Which pools?")
        response = self.deliver(*self.server.delivery(comment))
        self.assertEqual(response.status_code, 200)
        delivery = WebhookDelivery.objects.get()
        self.assertEqual(delivery.account, self.account)
        self.assertIn('"comment_id"', delivery.body)  # the raw body, as received
        self.assertEqual(self.queued, [[self.account.pk]])

    def test_it_refuses_a_wrong_signature(self):
        body, headers = self.server.delivery(self.server.comment(self.post, "Someone", "hi"))
        forged = hmac.new(b"not the app secret", body, hashlib.sha256).hexdigest()
        for signature in (f"sha256={forged}", "", "sha1=" + forged, "sha256="):
            response = self.deliver(body, {"X-Hub-Signature-256": signature})
            self.assertEqual(response.status_code, 403, signature)
        tampered = body.replace(b"hi", b"ho")
        self.assertEqual(self.deliver(tampered, headers).status_code, 403)
        self.assertFalse(WebhookDelivery.objects.exists())
        self.assertEqual(self.queued, [])

    def test_it_refuses_a_replayed_notification(self):
        body, headers = self.server.delivery(self.server.comment(self.post, "Someone", "hi"))
        self.assertEqual(self.deliver(body, headers).status_code, 200)
        self.assertEqual(self.deliver(body, headers).status_code, 409)
        self.assertEqual(WebhookDelivery.objects.count(), 1)
        self.assertEqual(len(self.queued), 1)

    def test_it_refuses_a_notification_for_an_unknown_page(self):
        other_page, _, _ = new_page("Transit")  # not registered in Civic Social
        body, headers = self.server.delivery(self.server.comment(self.server.post(other_page, "x"), "A", "b"))
        self.assertEqual(self.deliver(body, headers).status_code, 404)
        self.assertFalse(WebhookDelivery.objects.exists())

    def test_it_refuses_a_huge_body_and_json_that_is_not_a_notification(self):
        huge = b'{"object": "page", "entry": [' + b" " * 300_000 + b"]}"
        signature = "sha256=" + hmac.new(self.server.app_secret.encode(), huge, hashlib.sha256).hexdigest()
        self.assertEqual(self.deliver(huge, {"X-Hub-Signature-256": signature}).status_code, 413)
        odd = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
        signature = "sha256=" + hmac.new(self.server.app_secret.encode(), odd, hashlib.sha256).hexdigest()
        self.assertEqual(self.deliver(odd, {"X-Hub-Signature-256": signature}).status_code, 400)
        self.assertFalse(WebhookDelivery.objects.exists())

    def test_it_takes_instagram_comments_for_the_linked_account(self):
        account = self.approved_account(platform="instagram", handle="@nycparks",
                                        url="https://www.instagram.com/nycparks/")
        capture_account(account, instagram(self.token))
        media = self.server.media(self.user, "Snow day", b"\x89PNG snow")
        response = self.deliver(*self.server.delivery(self.server.comment(media, "jkim", "Sledding?")))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.queued, [[account.pk]])

    def test_it_refuses_a_bare_request_and_other_methods(self):
        self.assertEqual(self.client.get(URL).status_code, 403)  # no mode, no token
        self.assertEqual(self.client.put(URL).status_code, 405)
