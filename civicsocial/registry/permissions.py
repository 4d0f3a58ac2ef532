"""Who may do what: the one place that decides (P3). Every page and API endpoint asks
`can()` or goes through `visible_agencies()`; nothing else checks roles.

An ODS admin may do everything citywide. Everyone else acts only inside the agencies
where they hold a role, and only with a role that the matrix below allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from civicsocial.registry.models import Agency, Person, Role
from civicsocial.security.models import AuditEvent


class Action(StrEnum):
    VIEW_AGENCY = "view_agency"  # non-public data of an agency: people, applications, policy, drafts
    MANAGE_PEOPLE = "manage_people"  # roles, central contact, off-boarding (P3, P6, P10)
    APPLY = "apply"  # draft, submit, withdraw, re-apply for an account (P2)
    COUNSEL_SIGNOFF = "counsel_signoff"  # campaign accounts (P9)
    DECIDE_APPLICATION = "decide_application"  # approve or deny (P2): ODS only
    EDIT_ACCOUNT = "edit_account"  # flags, topic statement, login identity, status
    MANAGE_TRAINING = "manage_training"  # trainings and authorizations (P4)
    EDIT_POLICY = "edit_policy"  # the agency's policy record (P5)
    APPROVE_POLICY = "approve_policy"  # counsel approval of it (P5)
    REVIEW_TOS = "review_tos"  # record a terms-of-service review (P20)
    MANAGE_TERMS = "manage_terms"  # record a new platform terms version: ODS only
    MANAGE_AGENCIES = "manage_agencies"  # create agencies: ODS only
    VIEW_AUDIT = "view_audit"  # the audit log of an agency
    VIEW_ARCHIVE = "view_archive"  # search and read the archive of the agency's accounts (P27)
    MANAGE_FOIL = "manage_foil"  # FOIL cases, productions, legal holds (P26, P27)
    MANAGE_ARCHIVE = "manage_archive"  # import captures, check the whole archive (P27): ODS only
    CLOSE_FOIL = "close_foil"  # close a FOIL case, which lifts its holds
    VIEW_INBOX = "view_inbox"  # incoming comments and messages, their labels (P21-P24)
    MODERATE = "moderate"  # review, answer, refer to 311, propose a removal (P21-P23)
    DECIDE_REMOVAL = "decide_removal"  # approve or reject a removal: counsel only (P22)
    MANAGE_CREDENTIALS = "manage_credentials"  # enter, replace or remove platform secrets (P13)
    REPORT_INCIDENT = "report_incident"  # report a suspected compromise, see and add to it (P14)
    DECIDE_INCIDENT = "decide_incident"  # confirm or dismiss a detected one, lift a freeze: ODS only
    DRAFT_POSTS = "draft_posts"  # write, edit, submit, withdraw, unschedule a draft
    APPROVE_POSTS = "approve_posts"  # decide a step of an approval chain (the chain narrows it, P5)
    SET_APPROVAL_CHAIN = "set_approval_chain"  # an account's approval steps (P5)


ALL_AGENCY_ROLES: set[Role] = {r for r in Role if r != Role.ODS_ADMIN}

# Roles (besides ODS admin, who may do everything) allowed each action in their agency.
MATRIX: dict[Action, set[Role]] = {
    Action.VIEW_AGENCY: ALL_AGENCY_ROLES,
    Action.MANAGE_PEOPLE: {Role.AGENCY_ADMIN},
    Action.APPLY: {Role.AGENCY_ADMIN},
    Action.COUNSEL_SIGNOFF: {Role.COUNSEL},
    Action.DECIDE_APPLICATION: set(),
    Action.EDIT_ACCOUNT: {Role.AGENCY_ADMIN},
    Action.MANAGE_TRAINING: {Role.AGENCY_ADMIN},
    Action.EDIT_POLICY: {Role.AGENCY_ADMIN},
    Action.APPROVE_POLICY: {Role.COUNSEL},
    Action.REVIEW_TOS: {Role.AGENCY_ADMIN, Role.COUNSEL},
    Action.MANAGE_TERMS: set(),
    Action.MANAGE_AGENCIES: set(),
    Action.VIEW_AUDIT: {Role.AGENCY_ADMIN, Role.COUNSEL, Role.RECORDS_OFFICER},
    Action.VIEW_ARCHIVE: {Role.AGENCY_ADMIN, Role.COUNSEL, Role.RECORDS_OFFICER, Role.MODERATOR},
    Action.MANAGE_FOIL: {Role.COUNSEL, Role.RECORDS_OFFICER},
    Action.CLOSE_FOIL: {Role.RECORDS_OFFICER},
    Action.MANAGE_ARCHIVE: set(),
    Action.VIEW_INBOX: {Role.AGENCY_ADMIN, Role.MODERATOR, Role.COUNSEL, Role.RECORDS_OFFICER},
    Action.MODERATE: {Role.AGENCY_ADMIN, Role.MODERATOR},
    Action.DECIDE_REMOVAL: {Role.COUNSEL},
    Action.MANAGE_CREDENTIALS: {Role.AGENCY_ADMIN},
    Action.REPORT_INCIDENT: ALL_AGENCY_ROLES,
    Action.DECIDE_INCIDENT: set(),
    Action.VIEW_AGENCY: ALL_AGENCY_ROLES,
    Action.DRAFT_POSTS: {Role.EDITOR, Role.AGENCY_ADMIN},
    Action.APPROVE_POSTS: {Role.APPROVER, Role.COUNSEL, Role.AGENCY_ADMIN},
    Action.SET_APPROVAL_CHAIN: {Role.AGENCY_ADMIN},
}

# Actions an ODS admin does not get by being one: the policy gives them to the agency's
# own counsel. P22: a removal; P5: approving the agency's policy; P9: the counsel half of a
# campaign account's two sign-offs (ODS gives the other half by deciding).
NOT_FOR_ODS = {Action.DECIDE_REMOVAL, Action.APPROVE_POLICY, Action.COUNSEL_SIGNOFF}

# P13: these roles must log in with a second factor.
SECOND_FACTOR_ROLES = {Role.ODS_ADMIN, Role.AGENCY_ADMIN, Role.COUNSEL}


@dataclass(frozen=True)
class TokenScope:
    """What an API token allows (issue 18): some of its person's agencies (or, for an ODS
    admin's token, all: `citywide`) and some actions. It only ever narrows: a request
    made with a token may do what its person may do AND what the scope names."""

    agency_ids: frozenset[int]
    actions: frozenset[str]
    citywide: bool = False

    def allows(self, action: Action, agency_id: int | None) -> bool:
        if action not in self.actions:
            return False
        return self.citywide or (agency_id is not None and agency_id in self.agency_ids)


def _scope(person: Any) -> TokenScope | None:
    """The scope of the token the request came with (set on the person by the API's
    token authentication; None for a page session)."""
    return getattr(person, "token_scope", None)


def roles_by_agency(person: Any) -> dict[int | None, set[str]]:
    """{agency id (None for citywide): roles}, cached on the person for one request."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return {}
    cached = getattr(person, "_roles_by_agency", None)
    if cached is None:
        cached = {}
        for agency_id, role in person.role_assignments.values_list("agency_id", "role"):
            cached.setdefault(agency_id, set()).add(role)
        person._roles_by_agency = cached
    return cached


def is_ods_admin(person: Any) -> bool:
    return Role.ODS_ADMIN in roles_by_agency(person).get(None, set())


def can(person: Any, action: Action, agency: Agency | int | None = None) -> bool:
    """True when `person` may do `action` in `agency` (None: citywide), and the token the
    request came with, if any, allows it too."""
    agency_id = agency if isinstance(agency, int) or agency is None else agency.pk
    scope = _scope(person)
    if scope is not None and not scope.allows(action, agency_id):
        return False
    if is_ods_admin(person) and action not in NOT_FOR_ODS:
        return True
    if agency_id is None:
        return False
    held = roles_by_agency(person).get(agency_id, set())
    return bool(held & MATRIX[action])


def require(person: Any, action: Action, agency: Agency | int | None = None) -> None:
    """Raise 404 when the agency is not the person's at all, 403 when the role is missing."""
    if can(person, action, agency):
        return
    if agency is not None and not can(person, Action.VIEW_AGENCY, agency):
        raise Http404("No such record.")
    raise PermissionDenied("Your role does not allow this.")


def _within_scope(person: Any, agencies: QuerySet[Agency], action: Action) -> QuerySet[Agency]:
    scope = _scope(person)
    if scope is None or (scope.citywide and action in scope.actions):
        return agencies
    if action not in scope.actions:
        return agencies.none()
    return agencies.filter(pk__in=scope.agency_ids)


def visible_agencies(person: Any) -> QuerySet[Agency]:
    """Agencies whose non-public data the person may see (a token: those of its scope)."""
    if is_ods_admin(person):
        return _within_scope(person, Agency.objects.all(), Action.VIEW_AGENCY)
    ids = [a for a in roles_by_agency(person) if a is not None]
    return _within_scope(person, Agency.objects.filter(pk__in=ids), Action.VIEW_AGENCY)


def agencies_for(person: Any, action: Action) -> QuerySet[Agency]:
    """Agencies in which the person may do `action` (for choice lists)."""
    if is_ods_admin(person):
        return _within_scope(person, Agency.objects.all(), action)
    ids = [a for a, roles in roles_by_agency(person).items() if a is not None and roles & MATRIX[action]]
    return _within_scope(person, Agency.objects.filter(pk__in=ids), action)


def require_somewhere(person: Any, action: Action, message: str) -> None:
    """403 unless the person may do `action` in at least one agency (ODS: always)."""
    if not agencies_for(person, action).exists():
        raise PermissionDenied(message)


def needs_second_factor(person: Person) -> bool:
    """P13: privileged roles log in with TOTP."""
    held = set().union(*roles_by_agency(person).values()) if roles_by_agency(person) else set()
    return bool(held & SECOND_FACTOR_ROLES)


def events_for(target: models.Model, viewer: Any) -> models.QuerySet[AuditEvent]:
    """The audit trail of one object, newest first, as `viewer` may see it: an event
    recorded in an agency the viewer cannot see is left out (a person with roles in two
    agencies has history in both; issue 12)."""
    events = AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")
    if is_ods_admin(viewer):
        return events
    return events.filter(models.Q(agency_id__isnull=True)
                         | models.Q(agency_id__in=visible_agencies(viewer).values("pk")))
