"""P3, P22, issue 12: separation of duties in who gives whom which role.

Nobody grants, changes or removes a role of their own; agency admin, counsel and records
officer are granted by ODS only and take effect once a second person confirms; an ODS
admin never holds an agency's counsel role; every step is in the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from civicsocial.inbox.models import InboxEntry, RemovalProposal
from civicsocial.inbox.moderation import propose_removal
from civicsocial.inbox.services import triage_new_items
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry import roles, services
from civicsocial.registry.models import DECIDING_ROLES, Role, RoleAssignment, RoleGrant
from civicsocial.registry.permissions import Action, can
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase, make_person


class RoleGrantTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ods2 = make_person("ods-two")
        roles.grant_role(None, self.ods2, None, Role.ODS_ADMIN)
        self.editor = self.person(Role.EDITOR)

    def holds(self, person, role, agency="alpha") -> bool:
        return RoleAssignment.objects.filter(person=person, role=role, agency__slug=agency).exists()

    def test_it_refuses_an_ods_admin_who_makes_themselves_counsel(self):
        self.login(self.ods)
        response = self.client.post(f"/agencies/alpha/people/{self.ods.pk}/role/", {"role": Role.COUNSEL})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(RoleGrant.objects.filter(person=self.ods).exclude(role=Role.ODS_ADMIN).exists())
        self.assertFalse(can(self.ods, Action.DECIDE_REMOVAL, self.alpha))

    def test_it_never_makes_an_ods_admin_counsel_even_through_another_ods_admin(self):
        with self.assertRaisesMessage(ValidationError, "never holds an agency's counsel role"):
            roles.grant_role(self.ods2, self.ods, self.alpha, Role.COUNSEL)
        counsel = self.person(Role.COUNSEL)
        with self.assertRaisesMessage(ValidationError, "cannot become an ODS admin"):
            roles.grant_role(self.ods2, counsel, None, Role.ODS_ADMIN)

    def test_it_refuses_an_agency_admin_who_gives_themselves_counsel_or_records(self):
        admin = self.person(Role.AGENCY_ADMIN)
        self.login(admin)
        for role in (Role.COUNSEL, Role.RECORDS_OFFICER, Role.VIEWER):
            response = self.client.post(f"/agencies/alpha/people/{admin.pk}/role/", {"role": role})
            self.assertEqual(response.status_code, 403, role)
        self.assertEqual(set(admin.role_assignments.values_list("role", flat=True)), {Role.AGENCY_ADMIN})
        self.assertFalse(can(admin, Action.DECIDE_REMOVAL, self.alpha))
        self.assertFalse(can(admin, Action.MANAGE_FOIL, self.alpha))

    def test_it_lets_only_ods_grant_the_roles_that_decide(self):
        admin = self.person(Role.AGENCY_ADMIN)
        for role in DECIDING_ROLES:
            with self.assertRaises(PermissionDenied):
                roles.grant_role(admin, self.editor, self.alpha, role)
        grant = roles.grant_role(admin, self.editor, self.alpha, Role.MODERATOR)
        self.assertEqual(grant.status, RoleGrant.Status.CONFIRMED)  # not a deciding role
        self.assertTrue(self.holds(self.editor, Role.MODERATOR))

    def test_it_puts_a_deciding_role_in_effect_only_once_a_second_person_confirms(self):
        grant = roles.grant_role(self.ods, self.editor, self.alpha, Role.COUNSEL)
        self.assertEqual(grant.status, RoleGrant.Status.PENDING)
        self.assertFalse(can(self.editor, Action.DECIDE_REMOVAL, self.alpha))
        for who in (self.ods, self.editor, self.person(Role.AGENCY_ADMIN)):  # granter, grantee, bystander
            with self.assertRaises(PermissionDenied):
                roles.confirm_grant(who, grant)
        roles.confirm_grant(self.ods2, grant)
        grant.refresh_from_db()
        self.assertEqual((grant.status, grant.decided_by), (RoleGrant.Status.CONFIRMED, self.ods2))
        self.editor = type(self.editor).objects.get(pk=self.editor.pk)  # roles are cached per object
        self.assertTrue(can(self.editor, Action.DECIDE_REMOVAL, self.alpha))

    def test_it_lets_the_central_contact_confirm_their_agencys_grants(self):
        contact = self.person(Role.VIEWER)
        services.set_central_contact(self.ods, self.alpha, contact)
        grant = roles.grant_role(self.ods, self.editor, self.alpha, Role.RECORDS_OFFICER)
        other = roles.grant_role(self.ods, self.person(Role.EDITOR, "bravo"), self.bravo, Role.COUNSEL)
        self.assertEqual(list(roles.grants_to_confirm(contact)), [grant])
        self.assertFalse(roles.may_confirm(contact, other))
        self.login(contact)
        self.assertEqual(self.client.get(f"/roles/grants/{other.pk}/decide/").status_code, 404)
        response = self.client.post(f"/roles/grants/{grant.pk}/decide/", {"decision": "confirm"})
        self.assertRedirects(response, "/roles/grants/")
        self.assertTrue(self.holds(self.editor, Role.RECORDS_OFFICER))

    def test_it_refuses_a_grant_with_a_reason_and_it_never_takes_effect(self):
        grant = roles.grant_role(self.ods, self.editor, self.alpha, Role.AGENCY_ADMIN)
        self.login(self.ods2)
        bad = self.client.post(f"/roles/grants/{grant.pk}/decide/", {"decision": "refuse"})
        self.assertContains(bad, "Say why", status_code=400)
        self.client.post(f"/roles/grants/{grant.pk}/decide/", {"decision": "refuse",
                                                                "reason": "Not in the org chart"})
        grant.refresh_from_db()
        self.assertEqual(grant.status, RoleGrant.Status.REFUSED)
        self.assertFalse(self.holds(self.editor, Role.AGENCY_ADMIN))
        with self.assertRaises(PermissionDenied):  # a decided grant is not decided again
            roles.confirm_grant(self.ods2, grant)

    def test_it_records_every_step_in_the_audit_log(self):
        grant = roles.grant_role(self.ods, self.editor, self.alpha, Role.COUNSEL)
        roles.confirm_grant(self.ods2, grant)
        assignment = self.editor.role_assignments.get(role=Role.COUNSEL)
        roles.remove_role(self.ods2, assignment, "moved to another agency")
        events = AuditEvent.objects.filter(target_id=str(self.editor.pk), action__startswith="role.")
        self.assertEqual([(e.action, e.actor) for e in events.order_by("pk")][-3:],
                         [("role.granted", self.ods), ("role.assigned", self.ods2),
                          ("role.removed", self.ods2)])

    def test_it_lets_nobody_remove_a_role_of_their_own_or_a_deciding_role_unless_ods(self):
        admin = self.person(Role.AGENCY_ADMIN)
        with self.assertRaises(PermissionDenied):
            roles.remove_role(admin, admin.role_assignments.get(), "leaving")
        with self.assertRaises(PermissionDenied):
            roles.remove_role(admin, self.person(Role.COUNSEL).role_assignments.get(), "disagree")
        with self.assertRaises(PermissionDenied):
            roles.remove_role(self.ods, self.ods.role_assignments.get(), "stepping down")
        with self.assertRaises(PermissionDenied):
            services.offboard(admin, admin, self.alpha, None, "leaving")
        with self.assertRaises(PermissionDenied):  # off-boarding is removing every role
            services.offboard(admin, self.person(Role.COUNSEL), self.alpha, None, "disagree")
        self.assertTrue(self.holds(self.person(Role.COUNSEL), Role.COUNSEL))
        services.offboard(self.ods, self.person(Role.RECORDS_OFFICER), self.alpha, None, "retired")
        roles.remove_role(admin, self.editor.role_assignments.get(), "reorg")  # not deciding: fine

    def test_it_keeps_a_proposal_from_being_decided_by_a_self_made_counsel(self):
        self.approved_account()
        archive(line("c1", account="@alpha_news", text="buy cheap pills at spam.example"))
        triage_new_items()
        proposal = propose_removal(self.person(Role.MODERATOR), InboxEntry.objects.get(), "hide",
                                   "solicitation", 'It says "buy cheap pills"')
        self.login(self.ods)
        self.client.post(f"/agencies/alpha/people/{self.ods.pk}/role/", {"role": Role.COUNSEL})
        self.assertEqual(self.client.get(f"/inbox/proposals/{proposal.pk}/decide/").status_code, 403)
        self.assertEqual(RemovalProposal.objects.get().decision, RemovalProposal.Decision.PENDING)

    def test_it_validates_ownership(self):
        grant = roles.grant_role(self.ods, self.editor, self.alpha, Role.COUNSEL)
        bravo_admin = self.person(Role.AGENCY_ADMIN, "bravo")
        self.login(bravo_admin)
        self.assertEqual(self.client.post(f"/roles/grants/{grant.pk}/decide/",
                                          {"decision": "confirm"}).status_code, 404)
        self.assertNotContains(self.client.get("/roles/grants/"), str(self.editor))
        self.assertEqual(RoleGrant.objects.get(pk=grant.pk).status, RoleGrant.Status.PENDING)
