"""Review and approval (P5, issue 19): the chain's steps in order, nobody approving their
own draft or two steps, approvals bound to the content hash, a reason to send back,
counsel on campaign accounts, and the gates (P2, P4, P14, P20) at every decision."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicsocial.publishing import approvals
from civicsocial.publishing.models import Approval, Draft, TargetState
from civicsocial.publishing.tests.base import PublishingCity
from civicsocial.registry.models import AccountType, Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase, WorkersTestCase, at_once, races_on_postgres, raised


class ApprovalChainTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()

    def test_it_approves_through_two_steps_and_queues_the_post(self):
        approvals.set_chain(self.person(Role.AGENCY_ADMIN), self.account,
                            [(Role.APPROVER, []), (Role.AGENCY_ADMIN, [])])
        draft = self.submitted()
        draft = self.approve(draft, self.person(Role.APPROVER))
        self.assertEqual((draft.status, approvals.next_step(draft)), ("in_review", 2))
        draft = self.approve(draft, self.person(Role.AGENCY_ADMIN))
        self.assertEqual(draft.status, "approved")
        self.assertEqual(draft.targets.get().state, TargetState.QUEUED)
        steps = list(draft.approvals.values_list("step", "content_hash"))
        self.assertEqual(steps, [(1, draft.content_hash), (2, draft.content_hash)])
        approved = AuditEvent.objects.filter(action="draft.approved", target_id=str(draft.pk))
        self.assertEqual(approved.count(), 2)

    def test_it_refuses_self_approval(self):
        from civicsocial.publishing import compose
        from civicsocial.registry import roles

        both = self.person(Role.APPROVER)
        roles.grant_role(None, both, self.alpha, Role.EDITOR)
        draft = approvals.submit(both, compose.create_draft(both, compose.DraftInput("Hi", [self.account])))
        with self.assertRaisesMessage(PermissionDenied, "Nobody approves their own draft"):
            approvals.decide(self.person(Role.APPROVER), draft, True, draft.content_hash)

    def test_it_refuses_two_steps_by_one_person(self):
        approvals.set_chain(self.person(Role.AGENCY_ADMIN), self.account,
                            [(Role.APPROVER, []), (Role.APPROVER, [])])
        draft = self.approve(self.submitted(), self.person(Role.APPROVER))
        with self.assertRaisesMessage(PermissionDenied, "another person decides this one"):
            approvals.decide(self.person(Role.APPROVER), draft, True, draft.content_hash)
        self.approve(draft, self.second_approver(self.account))
        draft.refresh_from_db()
        self.assertEqual(draft.status, "approved")

    def test_it_refuses_a_decision_on_content_the_approver_did_not_see(self):
        draft = self.submitted()
        with self.assertRaisesMessage(ValidationError, "changed after you opened it"):
            approvals.decide(self.person(Role.APPROVER), draft, True, "0" * 64)
        self.assertFalse(Approval.objects.exists())

    def test_it_needs_a_reason_to_send_back(self):
        draft = self.submitted()
        with self.assertRaisesMessage(ValidationError, "Say why"):
            approvals.decide(self.person(Role.APPROVER), draft, False, draft.content_hash, " ")
        approvals.decide(self.person(Role.APPROVER), draft, False, draft.content_hash, "Wrong day")
        draft.refresh_from_db()
        self.assertEqual(draft.status, "rejected")
        resubmitted = approvals.submit(self.person(Role.EDITOR), draft)
        self.assertEqual((resubmitted.revision, approvals.next_step(resubmitted)), (2, 1))

    def test_it_adds_counsel_on_a_campaign_account(self):
        campaign = self.make_city("transit")
        campaign.account_type = AccountType.CAMPAIGN
        campaign.save()
        self.assertEqual([r.role for r in approvals.chain_of(campaign)], [Role.APPROVER, Role.COUNSEL])
        draft = approvals.submit(self.person(Role.EDITOR), self.draft(accounts=[campaign]))
        draft = self.approve(draft, self.person(Role.APPROVER))
        with self.assertRaisesMessage(PermissionDenied, "Step 2"):
            approvals.decide(self.person(Role.AGENCY_ADMIN), draft, True, draft.content_hash)
        self.assertEqual(self.approve(draft, self.person(Role.COUNSEL)).status, "approved")

    def test_it_blocks_an_unreviewed_platform_terms_version(self):
        from civicsocial.registry import services

        services.record_terms(self.ods, "mastodon", "2026-11", timezone.localdate())
        with self.assertRaisesMessage(ValidationError, "not reviewed (P20)"):
            self.submitted()

    def test_it_blocks_a_frozen_account(self):
        draft = self.submitted()
        type(self.account).objects.filter(pk=self.account.pk).update(frozen_at=timezone.now())
        with self.assertRaisesMessage(ValidationError, "frozen by a security incident (P14)"):
            approvals.decide(self.person(Role.APPROVER), draft, True, draft.content_hash)

    def test_it_blocks_an_account_without_an_approved_application(self):
        from civicsocial.registry import services

        legacy = services.register_existing_account(self.ods, self.alpha, self.application_data(
            platform="mastodon", handle="@legacy", url="https://example.org/@legacy"), "legacy list")
        self.authorized(self.person(Role.EDITOR), legacy)
        with self.assertRaisesMessage(ValidationError, "no approved application (P2)"):
            approvals.submit(self.person(Role.EDITOR), self.draft(accounts=[legacy]))

    def test_it_refuses_an_approver_without_a_current_training(self):
        approver = self.person(Role.APPROVER)
        approver.trainings.update(expires_on=timezone.localdate() - timezone.timedelta(days=1))
        draft = self.submitted()
        with self.assertRaisesMessage(PermissionDenied, "no current training (P4)"):
            approvals.decide(approver, draft, True, draft.content_hash)

    def test_it_validates_ownership(self):
        draft = self.submitted()
        with self.assertRaisesMessage(PermissionDenied, "Your role does not include approving posts"):
            approvals.decide(self.person(Role.APPROVER, "bravo"), draft, True, draft.content_hash)


@races_on_postgres
class ApprovalRaceTestCase(PublishingCity, WorkersTestCase):
    def test_it_gives_one_approval_when_two_approvers_click_at_once(self):
        self.account = self.make_city()
        approvals.set_chain(self.person(Role.AGENCY_ADMIN), self.account,
                            [(Role.APPROVER, []), (Role.APPROVER, [])])
        draft = self.submitted()
        other = self.second_approver(self.account)
        results = at_once(*[lambda p=p: approvals.decide(p, Draft.objects.get(pk=draft.pk), True,
                                                         draft.content_hash, step=1)
                            for p in (self.person(Role.APPROVER), other)])
        self.assertEqual(list(Approval.objects.filter(draft=draft).values_list("step", flat=True)), [1])
        self.assertEqual(len(raised(results)), 1)
        self.assertIn("same moment", str(raised(results)[0]))
