"""Sending (issue 19): an approved "send now" draft goes out through our adapter once,
with its images and alt text; a worker killed between sending and recording never posts
twice (the idempotency key) and never loses the post; the gates are checked again at send
(P14: a frozen account sends nothing, and a freeze takes its posts off the schedule)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicsocial.platforms.tests.mastodon import adapter
from civicsocial.publishing import compose, sending
from civicsocial.publishing.models import Target, TargetState
from civicsocial.publishing.tests.base import PublishingCity, png
from civicsocial.registry.models import Account, Role
from civicsocial.registry.signals import account_frozen
from civicsocial.testing import BaseTestCase


def posts_saying(text: str) -> list[dict]:
    statuses = adapter("parks").read_since("").captures
    return [s for s in statuses if s["kind"] == "post" and text in s["text"]]


class SendNowTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()

    def released(self, text: str, **changes) -> Target:
        with self.captureOnCommitCallbacks(execute=False):  # no worker: the test dispatches
            submitted = self.submitted(text=text, send_in=None, **changes)
            draft = self.approve(submitted, self.person(Role.APPROVER))
        self.assertEqual(draft.status, "approved")
        return draft.targets.get()

    def test_it_sends_an_approved_draft_once(self):
        text = f"Send-now test {timezone.now().timestamp()}"
        target = self.released(text)
        self.assertEqual(sending.dispatch()["sent"], 1)
        target.refresh_from_db()
        self.assertEqual(target.state, TargetState.SENT)
        self.assertTrue(target.platform_id.startswith("http"))
        target.draft.refresh_from_db()
        self.assertEqual(target.draft.status, "sent")
        self.assertEqual(sending.dispatch()["sent"], 0)
        self.assertEqual(len(posts_saying(text)), 1)

    def test_it_sends_images_with_their_alt_text(self):
        text = f"Map test {timezone.now().timestamp()}"
        target = self.released(text, media=[compose.MediaInput("The pool's entrance on Elm Street",
                                                               data=png("blue"), filename="entrance.png")])
        sending.dispatch()
        target.refresh_from_db()
        self.assertEqual(target.state, TargetState.SENT, target.last_error)
        [post] = posts_saying(text)
        self.assertEqual(len(post["media"]), 1)
        described = post["raw"]["media_attachments"][0]["description"]
        self.assertEqual(described, "The pool's entrance on Elm Street")

    def test_it_never_posts_twice_when_a_worker_dies_after_sending(self):
        text = f"Killed worker test {timezone.now().timestamp()}"
        target = self.released(text)
        claimed = sending._claim(target.pk, timezone.now())
        assert claimed is not None
        real_settle = sending._settle
        with self.assertRaises(SystemExit):  # the worker dies after the platform took the post
            def die(target, **changes):
                if changes.get("state") == TargetState.SENT:
                    raise SystemExit("killed")
                real_settle(target, **changes)
            sending._settle = die
            try:
                sending.send_direct(claimed)
            finally:
                sending._settle = real_settle
        target.refresh_from_db()
        self.assertEqual(target.state, TargetState.SENDING)
        self.assertEqual(sending.dispatch()["sent"], 0)  # its lease still holds
        later = timezone.now() + sending.lease() + timedelta(seconds=1)
        self.assertEqual(sending.dispatch(now=later)["sent"], 1)
        target.refresh_from_db()
        self.assertEqual((target.state, target.attempts), (TargetState.SENT, 2))
        self.assertEqual(len(posts_saying(text)), 1)

    def test_it_refuses_at_send_when_the_account_was_frozen(self):
        text = f"Frozen test {timezone.now().timestamp()}"
        target = self.released(text)
        Account.objects.filter(pk=self.account.pk).update(frozen_at=timezone.now())
        sending.dispatch()
        target.refresh_from_db()
        self.assertIn(target.state, (TargetState.UNSCHEDULED, TargetState.FAILED))
        self.assertEqual(posts_saying(text), [])

    def test_it_unschedules_a_frozen_accounts_posts(self):
        draft = self.approve(self.submitted(send_in=timedelta(days=2)), self.person(Role.APPROVER))
        self.assertEqual(draft.targets.get().state, TargetState.QUEUED)
        Account.objects.filter(pk=self.account.pk).update(frozen_at=timezone.now())
        with self.captureOnCommitCallbacks(execute=True):
            account_frozen.send(Account, account_id=self.account.pk)
        self.assertEqual(draft.targets.get().state, TargetState.UNSCHEDULED)

    def test_it_reports_a_scheduled_post_sent_without_the_vendor(self):
        from civicsocial.policy.checks import run_checks

        with self.captureOnCommitCallbacks(execute=False):
            draft = self.approve(self.submitted(send_in=timedelta(hours=3)), self.person(Role.APPROVER))
        sending.dispatch()  # no vendor configured here: our adapter takes it at its time
        self.assertEqual(sending.dispatch(now=draft.send_at - timedelta(minutes=1))["sent"], 0)
        self.assertEqual(sending.dispatch(now=draft.send_at + timedelta(minutes=1))["sent"], 1)
        [p12] = [r for r in run_checks(self.alpha) if r.pid == "P12"]
        self.assertFalse(p12.passed)
        self.assertIn(f"draft #{draft.pk}", p12.details[0])
