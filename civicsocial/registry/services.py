"""Everything that changes the registry. Each function checks the rule it enforces
(cited by P-id), changes the records in one transaction and writes the audit log.
Views, the API and commands only call these. Rule violations raise
`django.core.exceptions.ValidationError` with a message a person can act on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from civicsocial.registry.models import (
    Account,
    AccountStatus,
    AccountType,
    Agency,
    AgencyPolicy,
    Application,
    ApplicationStatus,
    Authorization,
    Person,
    PersonKind,
    PlatformTerms,
    RoleAssignment,
    TosReview,
    Training,
    WarningAcknowledgment,
)
from civicsocial.registry.roles import check_removal
from civicsocial.security import audit
from civicsocial.text import validate_identity

APPLICATION_FIELDS = [
    "agency", "platform", "handle", "url", "account_type", "owner", "topic_limited",
    "topic_statement", "sensitive_audience", "login_identity", "justification",
    "continuity_plan",
]
# What an account is (its AccountDetails), as recorded when it is registered.
ACCOUNT_FIELDS = [f for f in APPLICATION_FIELDS if f not in ("justification", "continuity_plan")]
ACCOUNT_EDITABLE_FIELDS = [
    "url", "owner", "topic_limited", "topic_statement", "sensitive_audience",
    "login_identity", "status", "profile_change_expected_until",
]
TRAINING_VALID_DAYS = 365
WARNING_TEXT_VERSION = "2026-1"
WARNING_TEXT = (
    "You are not authorized to post for the City. Posting in an official capacity without "
    "authorization may lead to discipline. When you use social media personally, say that you "
    "speak only for yourself, and do not do it on City time or with City resources (P4, P11)."
)


# -- shared rules ---------------------------------------------------------------------------

def check_account_rules(agency: Agency, data: dict[str, Any], agency_login: bool = True) -> None:
    """Rules shared by applications and account edits (P7, P9, P10, topic limits).
    `agency_login=False` records a pre-existing account as found; P7 then reports it."""
    errors: dict[str, str] = {}
    for field in ("handle", "login_identity"):  # what people read to know whom they deal with
        try:
            validate_identity(data.get(field) or "")
        except ValidationError as error:
            errors[field] = " ".join(error.messages)
    identity = (data.get("login_identity") or "").lower()
    domain = identity.rpartition("@")[2]
    if agency_login and identity and domain not in agency.domain_list():
        errors["login_identity"] = (
            f"The login identity must be an address the agency owns "
            f"({', '.join(agency.domain_list()) or 'no domains recorded'}), "
            "so the agency keeps the account when a person or vendor leaves (P7)."
        )
    owner: Person | None = data.get("owner")
    if data.get("account_type") == AccountType.INDIVIDUAL and owner is None:
        errors["owner"] = "An individual official account needs the official it is for (P10)."
    if owner is not None and owner.kind == PersonKind.VENDOR:
        errors["owner"] = "A vendor cannot own a city account; the agency keeps ownership (P7)."
    if data.get("topic_limited") and not (data.get("topic_statement") or "").strip():
        errors["topic_statement"] = (
            "A topic-limited account needs its topic statement: it is what makes off-topic "
            "comments removable (P22)."
        )
    if errors:
        raise ValidationError(errors)


def _legacy_account(agency: Agency, platform: str, handle: str) -> Account | None:
    """An account of this agency registered from the legacy list, with no application yet."""
    return Account.objects.filter(agency=agency, platform=platform, handle__iexact=handle,
                                  application__isnull=True).first()


def _check_handle_free(agency: Agency, platform: str, handle: str,
                       exclude_app: int | None = None) -> None:
    taken = Account.objects.filter(platform=platform, handle__iexact=handle)
    if taken.exists() and _legacy_account(agency, platform, handle) is None:
        raise ValidationError({"handle": f"{handle} is already registered on this platform."})
    pending = Application.objects.filter(
        platform=platform, handle__iexact=handle,
        status__in=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED],
    )
    if exclude_app is not None:
        pending = pending.exclude(pk=exclude_app)
    if pending.exists():
        raise ValidationError({"handle": f"An open application for {handle} already exists."})


@transaction.atomic
def register_existing_account(actor: Person, agency: Agency, data: dict[str, Any],
                              reason: str) -> Account:
    """P1: ODS registers an account that already exists on a platform (the legacy list).
    It counts against P2 until the agency files an application with a continuity plan."""
    check_account_rules(agency, data, agency_login=False)
    if Account.objects.filter(platform=data["platform"], handle__iexact=data["handle"]).exists():
        raise ValidationError({"handle": f"{data['handle']} is already registered."})
    account = Account.objects.create(
        agency=agency, **{f: data[f] for f in ACCOUNT_FIELDS if f in data and f != "agency"})
    audit.record(actor, "account.registered_existing", account, reason=reason,
                 changes=audit.diff({}, audit.snapshot(account, [*ACCOUNT_FIELDS, "status"])))
    return account


# -- applications (P2, P9) ------------------------------------------------------------------

@transaction.atomic
def create_application(actor: Person, data: dict[str, Any], submit: bool = True,
                       previous: Application | None = None) -> Application:
    """A new application from cleaned form data; submitted to ODS unless `submit` is False."""
    agency: Agency = data["agency"]
    check_account_rules(agency, data)
    _check_handle_free(agency, data["platform"], data["handle"])
    application = Application(submitted_by=actor, previous=previous,
                              **{f: data.get(f) for f in APPLICATION_FIELDS})
    application.topic_statement = application.topic_statement or ""
    application.continuity_plan = application.continuity_plan or ""
    if submit:
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = timezone.now()
    application.save()
    action = "application.reapplied" if previous else "application.created"
    audit.record(actor, action, application,
                 changes=audit.diff({}, audit.snapshot(application, [*APPLICATION_FIELDS, "status"])))
    return application


@transaction.atomic
def submit_application(actor: Person, application: Application) -> Application:
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError("Only a draft can be submitted.")
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at"])
    audit.record(actor, "application.submitted", application,
                 changes={"status": ["draft", "submitted"]})
    return application


@transaction.atomic
def withdraw_application(actor: Person, application: Application, reason: str) -> Application:
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED):
        raise ValidationError("Only an open application can be withdrawn.")
    old = application.status
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    audit.record(actor, "application.withdrawn", application,
                 changes={"status": [old, "withdrawn"]}, reason=reason)
    return application


@transaction.atomic
def counsel_signoff(actor: Person, application: Application, reason: str) -> Application:
    """P9: agency counsel signs off a non-branded campaign account."""
    if application.account_type != AccountType.CAMPAIGN:
        raise ValidationError("Only campaign accounts need counsel's sign-off.")
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError("Counsel signs off a submitted application.")
    if application.counsel_signoff_at:
        raise ValidationError("Counsel has already signed off.")
    if actor.pk == application.submitted_by_id:
        raise PermissionDenied("Counsel cannot sign off an application they submitted.")
    application.counsel_signoff_by = actor
    application.counsel_signoff_at = timezone.now()
    application.save(update_fields=["counsel_signoff_by", "counsel_signoff_at"])
    audit.record(actor, "application.counsel_signoff", application, reason=reason,
                 changes={"counsel_signoff_by": [None, actor.pk]})
    return application


@transaction.atomic
def decide_application(actor: Person, application: Application, approve: bool,
                       reason: str) -> Application:
    """ODS approves (registering the account) or denies, always with a reason (P2)."""
    reason = reason.strip()
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError("Only a submitted application can be decided.")
    if not reason:
        raise ValidationError({"reason": "Give the reason for the decision; the agency sees it."})
    if approve:
        problems = []
        if not application.justification.strip():
            problems.append("it states no unique need")
        if not application.continuity_plan.strip():
            problems.append("it has no continuity (legacy) plan")
        if application.needs_counsel:
            problems.append("agency counsel has not signed off this campaign account (P9)")
        if problems:
            raise ValidationError(f"Cannot approve: {'; '.join(problems)} (P2).")
        _check_handle_free(application.agency, application.platform, application.handle,
                           exclude_app=application.pk)
        application.account = _register_account(actor, application)
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DENIED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application.save()
    audit.record(actor, f"application.{application.status}", application, reason=reason,
                 changes={"status": ["submitted", application.status]})
    return application


def _register_account(actor: Person, application: Application) -> Account:
    legacy = _legacy_account(application.agency, application.platform, application.handle)
    if legacy is not None:
        audit.record(actor, "account.application_on_file", legacy,
                     reason=f"Approved application #{application.pk}")
        return legacy
    account = Account.objects.create(
        **{f: getattr(application, f) for f in ACCOUNT_FIELDS}, status=AccountStatus.ACTIVE)
    audit.record(actor, "account.registered", account,
                 reason=f"Approved application #{application.pk}",
                 changes=audit.diff({}, audit.snapshot(account, [*ACCOUNT_FIELDS, "status"])))
    return account


# -- accounts -------------------------------------------------------------------------------

@transaction.atomic
def update_account(actor: Person, account: Account, changes: dict[str, Any],
                   reason: str) -> Account:
    """Edit an account's details. Accounts are never deleted; retire them instead (P10)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this account is being changed."})
    before = audit.snapshot(account, ACCOUNT_EDITABLE_FIELDS)
    merged = {f: changes.get(f, getattr(account, f)) for f in ACCOUNT_EDITABLE_FIELDS}
    merged["account_type"] = account.account_type
    check_account_rules(account.agency, merged)
    for field in ACCOUNT_EDITABLE_FIELDS:
        setattr(account, field, merged[field])
    account.save()
    after = audit.snapshot(account, ACCOUNT_EDITABLE_FIELDS)
    audit.record(actor, "account.updated", account, changes=audit.diff(before, after),
                 reason=reason)
    return account


# -- people, roles, central contact, off-boarding (P3, P6, P10) -----------------------------

@transaction.atomic
def set_central_contact(actor: Person, agency: Agency, person: Person, reason: str = "") -> Agency:
    """P6: exactly one central contact, who must hold a role in the agency."""
    if not person.is_active or not person.role_assignments.filter(agency=agency).exists():
        raise ValidationError({"person": "The central contact must be active staff of the agency."})
    old = agency.central_contact_id
    agency.central_contact = person
    agency.save(update_fields=["central_contact"])
    audit.record(actor, "agency.central_contact", agency, reason=reason,
                 changes={"central_contact": [old, person.pk]})
    return agency


@transaction.atomic
def offboard(actor: Person, person: Person, agency: Agency, successor: Person | None,
             reason: str) -> list[Account]:
    """P10: a person leaves the agency. Their individual accounts move to `successor`
    (never deleted), their authorizations end and their roles in the agency go."""
    check_removal(actor, person, person.role_assignments.filter(agency=agency)
                  .values_list("role", flat=True))
    if not reason.strip():
        raise ValidationError({"reason": "Say why this person is being off-boarded."})
    accounts = list(Account.objects.filter(agency=agency, owner=person))
    if accounts and successor is None:
        raise ValidationError(
            {"successor": f"{person} owns {len(accounts)} account(s); name who takes them over."})
    if successor is not None and (successor == person or not successor.is_active
                                  or successor.kind == PersonKind.VENDOR):
        raise ValidationError({"successor": "The successor must be another active, non-vendor person."})
    if agency.central_contact_id == person.pk:
        if successor is None:
            raise ValidationError({"successor": "This person is the central contact (P6); name a successor."})
        agency.central_contact = successor
        agency.save(update_fields=["central_contact"])
    for account in accounts:
        account.owner = successor
        account.save(update_fields=["owner"])
        audit.record(actor, "account.owner_transferred", account, reason=reason,
                     changes={"owner": [person.pk, successor.pk if successor else None]})
    now = timezone.now()
    for authorization in Authorization.objects.filter(person=person, account__agency=agency,
                                                      revoked_at__isnull=True):
        authorization.revoked_at = now
        authorization.revoked_reason = f"Off-boarded: {reason}"
        authorization.save(update_fields=["revoked_at", "revoked_reason"])
    RoleAssignment.objects.filter(person=person, agency=agency).delete()
    if not person.role_assignments.exists():
        person.is_active = False
        person.save(update_fields=["is_active"])
    audit.record(actor, "person.offboarded", person, agency_id=agency.pk, reason=reason,
                 changes={"accounts_moved": [[a.pk for a in accounts], successor.pk if successor else None]})
    return accounts


# -- training, authorizations, warnings (P4, P11) -------------------------------------------

def current_training(person: Person, on: date | None = None) -> Training | None:
    on = on or timezone.localdate()
    return person.trainings.filter(completed_on__lte=on, expires_on__gte=on).first()


@transaction.atomic
def record_training(actor: Person, person: Person, completed_on: date,
                    expires_on: date | None = None) -> Training:
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "A training cannot be completed in the future."})
    expires_on = expires_on or completed_on + timedelta(days=TRAINING_VALID_DAYS)
    if expires_on <= completed_on:
        raise ValidationError({"expires_on": "The expiry must come after completion."})
    training = Training.objects.create(person=person, completed_on=completed_on,
                                       expires_on=expires_on, recorded_by=actor)
    audit.record(actor, "training.recorded", person,
                 changes={"training": [None, f"{completed_on} to {expires_on}"]})
    return training


@transaction.atomic
def authorize(actor: Person, person: Person, account: Account) -> Authorization:
    """P4: only a person with a current training may act for an account."""
    if current_training(person) is None:
        raise ValidationError({"person": f"{person} has no current training (P4); record it first."})
    if not person.is_active or not person.role_assignments.filter(agency=account.agency).exists():
        raise ValidationError({"person": f"{person} holds no role in {account.agency}."})
    if account.status != AccountStatus.ACTIVE:
        raise ValidationError({"account": "Only an active account can have people authorized."})
    if account.authorizations.filter(person=person, revoked_at__isnull=True).exists():
        raise ValidationError({"person": f"{person} is already authorized for this account."})
    authorization = Authorization.objects.create(person=person, account=account, granted_by=actor)
    audit.record(actor, "authorization.granted", account,
                 changes={"authorized": [None, person.pk]})
    return authorization


@transaction.atomic
def revoke_authorization(actor: Person, authorization: Authorization, reason: str) -> None:
    if authorization.revoked_at:
        raise ValidationError("This authorization is already revoked.")
    authorization.revoked_at = timezone.now()
    authorization.revoked_reason = reason
    authorization.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record(actor, "authorization.revoked", authorization.account, reason=reason,
                 changes={"authorized": [authorization.person_id, None]})


@transaction.atomic
def acknowledge_warning(person: Person, agency: Agency) -> WarningAcknowledgment:
    """P4/P11: a staff member records that they read the warning for the non-authorized."""
    ack = WarningAcknowledgment.objects.create(person=person, agency=agency,
                                               text_version=WARNING_TEXT_VERSION)
    audit.record(person, "warning.acknowledged", person, agency_id=agency.pk,
                 changes={"warning": [None, WARNING_TEXT_VERSION]})
    return ack


# -- agency policy (P5) ---------------------------------------------------------------------

@transaction.atomic
def save_agency_policy(actor: Person, agency: Agency, title: str, elements: list[str],
                       document_url: str = "") -> AgencyPolicy:
    """A new version of the agency's policy; counsel approves it separately."""
    policy = AgencyPolicy.objects.create(agency=agency, title=title, elements=sorted(elements),
                                         document_url=document_url, created_by=actor)
    audit.record(actor, "policy.saved", policy, changes={"elements": [None, policy.elements]})
    return policy


@transaction.atomic
def approve_agency_policy(actor: Person, policy: AgencyPolicy, approved_on: date) -> AgencyPolicy:
    """P5: counsel's approval, dated."""
    if policy.counsel_approved_on:
        raise ValidationError("This policy version is already approved; save a new version to change it.")
    if actor.pk == policy.created_by_id:
        raise PermissionDenied("Counsel cannot approve a policy version they wrote.")
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": "The approval date cannot be in the future."})
    policy.counsel_approved_by = actor
    policy.counsel_approved_on = approved_on
    policy.save(update_fields=["counsel_approved_by", "counsel_approved_on"])
    audit.record(actor, "policy.approved", policy,
                 changes={"counsel_approved_on": [None, str(approved_on)]})
    return policy


# -- terms of service (P20) -----------------------------------------------------------------

@transaction.atomic
def record_terms(actor: Person, platform: str, version: str, effective_on: date,
                 url: str = "") -> PlatformTerms:
    if PlatformTerms.objects.filter(platform=platform, version=version).exists():
        raise ValidationError({"version": "This version of the terms is already recorded."})
    terms = PlatformTerms.objects.create(platform=platform, version=version,
                                         effective_on=effective_on, url=url)
    audit.record(actor, "terms.recorded", terms, changes={"version": [None, version]})
    return terms


@transaction.atomic
def record_tos_review(actor: Person, agency: Agency, terms: PlatformTerms, reviewed_on: date,
                      notes: str = "") -> TosReview:
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "A review cannot be dated in the future."})
    if TosReview.objects.filter(agency=agency, terms=terms).exists():
        raise ValidationError({"terms": "The agency has already reviewed this version."})
    review = TosReview.objects.create(agency=agency, terms=terms, reviewer=actor,
                                      reviewed_on=reviewed_on, notes=notes)
    audit.record(actor, "tos.reviewed", review, changes={"terms": [None, str(terms)]})
    return review


def current_terms(platform: str) -> PlatformTerms | None:
    """The newest terms version in effect for a platform."""
    return (PlatformTerms.objects.filter(platform=platform, effective_on__lte=timezone.localdate())
            .order_by("-effective_on").first())
