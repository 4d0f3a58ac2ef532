"""Who may give whom which role (P3), with separation of duties (issue 12):

- nobody grants, changes or removes a role of their own;
- the roles that decide (agency admin, counsel, records officer) and ODS admin are granted
  and removed only by an ODS admin, and a grant takes effect only once a second person
  confirms it: the agency's central contact or another ODS admin, never the person who
  granted it nor the one who receives it;
- an ODS admin never holds an agency's counsel role (P22 leaves removals to counsel);
- every grant, confirmation, refusal and removal is in the audit log.

`actor=None` is the operator's command line (`create_ods_admin`, the demo loader): it has
the server's own credentials, so its grants take effect at once and are recorded as such.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from civicsocial.registry.models import (
    CONFIRMED_ROLES,
    Agency,
    Person,
    Role,
    RoleAssignment,
    RoleGrant,
)
from civicsocial.registry.permissions import is_ods_admin
from civicsocial.security import audit


def _label(role: str, agency: Agency | None) -> str:
    return f"{role}@{agency.slug if agency else 'citywide'}"


def _holds(person: Person, role: str, pending_too: bool = True) -> bool:
    held = person.role_assignments.filter(role=role).exists()
    return held or (pending_too and person.role_grants.filter(
        role=role, status=RoleGrant.Status.PENDING).exists())


def check_grant(actor: Person | None, person: Person, agency: Agency | None, role: str) -> None:
    """Raise PermissionDenied (or ValidationError for a malformed grant) unless `actor`
    may give `person` this role."""
    if (role == Role.ODS_ADMIN) != (agency is None):
        raise ValidationError({"role": "ODS admin is citywide; every other role is per agency."})
    if actor is not None and actor.pk == person.pk:
        raise PermissionDenied("Nobody grants a role of their own.")
    if actor is not None and role in CONFIRMED_ROLES and not is_ods_admin(actor):
        raise PermissionDenied("Only an ODS admin grants the roles that decide "
                               "(agency admin, counsel, records officer).")
    if role == Role.COUNSEL and _holds(person, Role.ODS_ADMIN):
        raise ValidationError({"role": "An ODS admin never holds an agency's counsel role (P22)."})
    if role == Role.ODS_ADMIN and _holds(person, Role.COUNSEL):
        raise ValidationError({"role": "Agency counsel cannot become an ODS admin (P22)."})
    if RoleAssignment.objects.filter(person=person, agency=agency, role=role).exists():
        raise ValidationError({"role": "This person already holds this role."})
    if RoleGrant.objects.filter(person=person, agency=agency, role=role,
                                status=RoleGrant.Status.PENDING).exists():
        raise ValidationError({"role": "This role is already granted and waiting for confirmation."})


@transaction.atomic
def grant_role(actor: Person | None, person: Person, agency: Agency | None, role: str) -> RoleGrant:
    """Give `person` a role. A deciding role waits for a second person (`confirm_grant`)."""
    check_grant(actor, person, agency, role)
    grant = RoleGrant.objects.create(person=person, agency=agency, role=role, granted_by=actor)
    audit.record(actor, "role.granted", person, agency_id=agency.pk if agency else None,
                 changes={"role": [None, _label(role, agency)]})
    if actor is None or role not in CONFIRMED_ROLES:
        _put_in_effect(actor, grant)
    return grant


def may_confirm(person: Person, grant: RoleGrant) -> bool:
    """A second person: another ODS admin, or (for an agency role) the agency's central
    contact; never whoever granted it or receives it."""
    if grant.status != RoleGrant.Status.PENDING or person.pk in (grant.person_id, grant.granted_by_id):
        return False
    if is_ods_admin(person):
        return True
    return grant.agency is not None and grant.agency.central_contact_id == person.pk


def grants_to_confirm(person: Person) -> QuerySet[RoleGrant]:
    """Pending grants `person` may confirm or refuse."""
    pending = RoleGrant.objects.filter(status=RoleGrant.Status.PENDING).exclude(
        Q(person=person) | Q(granted_by=person)).select_related("person", "agency", "granted_by")
    if is_ods_admin(person):
        return pending
    return pending.filter(agency__central_contact=person)


SECOND_PERSON_ONLY = ("Only a second person (another ODS admin or the agency's central "
                      "contact) confirms or refuses this grant.")


def _decide(actor: Person, grant: RoleGrant, status: str, reason: str) -> None:
    if not may_confirm(actor, grant):
        raise PermissionDenied(SECOND_PERSON_ONLY)
    grant.status, grant.decided_by, grant.decided_at = status, actor, timezone.now()
    grant.reason = reason.strip()[:500]
    grant.save(update_fields=["status", "decided_by", "decided_at", "reason"])


@transaction.atomic
def confirm_grant(actor: Person, grant: RoleGrant) -> RoleAssignment:
    """The second person confirms: the role takes effect."""
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.role == Role.COUNSEL and _holds(grant.person, Role.ODS_ADMIN, pending_too=False):
        raise ValidationError("An ODS admin never holds an agency's counsel role (P22).")
    _decide(actor, grant, RoleGrant.Status.CONFIRMED, "")
    return _put_in_effect(actor, grant)


@transaction.atomic
def refuse_grant(actor: Person, grant: RoleGrant, reason: str) -> RoleGrant:
    """The second person refuses: the role never takes effect."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the grant is refused."})
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    _decide(actor, grant, RoleGrant.Status.REFUSED, reason)
    audit.record(actor, "role.refused", grant.person, reason=grant.reason,
                 agency_id=grant.agency_id,
                 changes={"role": [_label(grant.role, grant.agency), None]})
    return grant


def _put_in_effect(actor: Person | None, grant: RoleGrant) -> RoleAssignment:
    if grant.status == RoleGrant.Status.PENDING:
        grant.status, grant.decided_by, grant.decided_at = \
            RoleGrant.Status.CONFIRMED, actor, timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
    assignment = RoleAssignment.objects.create(person=grant.person, agency=grant.agency,
                                               role=grant.role)
    audit.record(actor, "role.assigned", grant.person, agency_id=grant.agency_id,
                 changes={"role": [None, _label(grant.role, grant.agency)]})
    return assignment


def check_removal(actor: Person, person: Person, held: Iterable[str]) -> None:
    """Raise PermissionDenied unless `actor` may take these roles from `person` (one role,
    or every role held in an agency when they are off-boarded): never one's own, and a
    deciding role only by an ODS admin."""
    if actor.pk == person.pk:
        raise PermissionDenied("Nobody removes a role of their own: ask an administrator.")
    if set(held) & CONFIRMED_ROLES and not is_ods_admin(actor):
        raise PermissionDenied("Only an ODS admin removes the roles that decide.")


@transaction.atomic
def remove_role(actor: Person, assignment: RoleAssignment, reason: str) -> None:
    """Take a role away (`check_removal`)."""
    agency = assignment.agency
    check_removal(actor, assignment.person, [assignment.role])
    if agency and agency.central_contact_id == assignment.person_id and not \
            assignment.person.role_assignments.filter(agency=agency).exclude(pk=assignment.pk):
        raise ValidationError("This person is the agency's central contact: name another first (P6).")
    audit.record(actor, "role.removed", assignment.person, reason=reason,
                 agency_id=agency.pk if agency else None,
                 changes={"role": [_label(assignment.role, agency), None]})
    assignment.delete()
