"""Compliance checks: one plain function per obligation the registry can judge.

Most checks take an agency and return its problems, one line per offending record;
the decorator carries the wording: `@check("Pnn", "title", passes="...", fails="{n} ...")`.
A check whose wording depends on more than the count returns the whole outcome: whether
it passes (None: awaiting a person's decision, which the report shows as such rather
than guess), the reason in words and the details. `run_checks` makes a `CheckResult`
citing its P-id; the report picks up every decorated function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.platforms.credentials import environment_secret
from civicsocial.policy.models import BrandingAudit
from civicsocial.publishing.compliance import posted_outside, scheduled_around_vendor
from civicsocial.registry.credentials import rotation_due
from civicsocial.registry.gates import application_problem, terms_problem
from civicsocial.registry.models import (
    Account,
    AccountStatus,
    AccountType,
    Agency,
    ApplicationStatus,
    PersonKind,
    Role,
)
from civicsocial.registry.permissions import SECOND_FACTOR_ROLES
from civicsocial.security.models import VaultSecret


@dataclass(frozen=True)
class CheckResult:
    pid: str
    title: str
    passed: bool
    reason: str
    details: list[str] = field(default_factory=list)
    awaiting: bool = False  # neither passed nor failed: a person has yet to decide

    @property
    def state(self) -> str:
        return "pass" if self.passed else "awaiting ODS" if self.awaiting else "fail"


Outcome = tuple[bool | None, str, list[str]]
CheckFunction = Callable[[Agency], Outcome]
Written = Callable[[Agency], list[str] | Outcome]  # a check as written: problems, or an outcome
CHECKS: list[tuple[str, str, CheckFunction]] = []


def check(pid: str, title: str, passes: str = "", fails: str = "") -> Callable[[Written], Written]:
    """Register a check under its P-id. A check that returns its problems (a list) passes
    with `passes` when there are none and fails with `fails` (`{n}`: how many) otherwise."""

    def register(function: Written) -> Written:
        def outcome(agency: Agency) -> Outcome:
            result = function(agency)
            if isinstance(result, tuple):
                return result
            return (False, fails.format(n=len(result)), result) if result else (True, passes, [])

        CHECKS.append((pid, title, outcome))
        return function

    return register


def run_checks(agency: Agency) -> list[CheckResult]:
    """Every registered check on one agency, in P-id order."""
    results = []
    for pid, title, function in CHECKS:
        passed, reason, details = function(agency)
        results.append(CheckResult(pid, title, passed is True, reason, details, passed is None))
    return sorted(results, key=lambda r: int(r.pid[1:]))


def _active_accounts(agency: Agency) -> list[Account]:
    return list(agency.accounts.filter(status=AccountStatus.ACTIVE).select_related("owner"))


@check("P2", "Every active account was approved on an application with a continuity plan",
       passes="Every active account has an approved application with a continuity plan",
       fails="{n} account(s) lack an approved application with a plan")
def applications_on_file(agency: Agency) -> list[str]:
    return [problem for account in _active_accounts(agency) if (problem := application_problem(account))]


@check("P3", "Roles are staffed: agency admin, moderator, counsel, records officer")
def roles_staffed(agency: Agency) -> tuple[bool, str, list[str]]:
    needed = [Role.AGENCY_ADMIN, Role.MODERATOR, Role.COUNSEL, Role.RECORDS_OFFICER]
    held = set(agency.role_assignments.filter(person__is_active=True).values_list("role", flat=True))
    missing = [Role(r).label for r in needed if r not in held]
    if missing:
        return False, f"No one holds: {', '.join(missing)}", missing
    return True, "Every required role has at least one active person", []


@check("P4", "Authorized staff are trained; the others acknowledged the warning",
       passes="Every authorized person is trained; every other staff member was warned",
       fails="{n} training or warning gap(s)")
def training_current(agency: Agency) -> list[str]:
    today = timezone.localdate()
    problems = []
    staff = {ra.person for ra in agency.role_assignments.select_related("person")
             if ra.person.is_active}
    authorized = set()
    for account in _active_accounts(agency):
        for authorization in account.authorizations.filter(revoked_at__isnull=True) \
                .select_related("person"):
            authorized.add(authorization.person)
            if not authorization.person.trainings.filter(
                    completed_on__lte=today, expires_on__gte=today).exists():
                problems.append(f"{authorization.person} acts for {account} without current training")
    acknowledged = set(agency.acknowledgments.values_list("person_id", flat=True))
    for person in sorted(staff - authorized, key=str):
        if person.pk not in acknowledged:
            problems.append(f"{person} is not authorized and has not acknowledged the warning")
    return problems


@check("P5", "Agency policy approved by counsel and covering every element")
def agency_policy(agency: Agency) -> tuple[bool, str, list[str]]:
    policy = agency.policies.first()
    if policy is None:
        return False, "No agency social media policy is on file", []
    problems = []
    if not policy.counsel_approved_on:
        problems.append(f"'{policy.title}' is not approved by counsel")
    missing = policy.missing_elements()
    if missing:
        problems.append(f"missing elements: {', '.join(missing)}")
    if problems:
        return False, "; ".join(problems), missing
    return True, f"'{policy.title}' approved by counsel on {policy.counsel_approved_on}", []


@check("P6", "One central contact is designated")
def central_contact(agency: Agency) -> tuple[bool, str, list[str]]:
    contact = agency.central_contact
    if contact is None:
        return False, "No central contact is designated", []
    if not contact.is_active or not contact.role_assignments.filter(agency=agency).exists():
        return False, f"{contact} is no longer active staff of the agency", [str(contact)]
    return True, f"{contact} is the central contact", []


@check("P7", "The agency owns every account's login (no vendor owners)",
       passes="Every login and recovery identity is an agency address",
       fails="{n} account(s) not owned by the agency")
def agency_owns_logins(agency: Agency) -> list[str]:
    domains = agency.domain_list()
    problems = []
    for account in _active_accounts(agency):
        if account.login_identity.lower().rpartition("@")[2] not in domains:
            problems.append(f"{account}: login {account.login_identity} is not an agency address")
        if account.owner and account.owner.kind == PersonKind.VENDOR:
            problems.append(f"{account}: owned by vendor {account.owner}")
    return problems


@check("P8", "Every account's captured profile passes the branding audit")
def branding(agency: Agency) -> tuple[bool | None, str, list[str]]:
    problems, awaiting = [], []
    for account in _active_accounts(agency):
        latest = BrandingAudit.objects.filter(account=account).select_related("snapshot").first()
        if latest is None:
            problems.append(f"{account}: no profile captured yet")
            continue
        evidence = (f"profile snapshot v{latest.snapshot.version_no} captured "
                    f"{latest.snapshot.captured_at:%Y-%m-%d %H:%M}")
        if not latest.passed and latest.failures:
            problems.append(f"{account}: {'; '.join(latest.failures)} ({evidence})")
        elif not latest.passed and latest.awaiting_ods:
            awaiting.append(f"{account}: the logo match is unsure of the picture, awaiting ODS "
                            f"(score {latest.logo_score:.2f}; {evidence})")
    if problems:
        return False, f"{len(problems)} account(s) fail the branding audit", problems + awaiting
    if awaiting:
        return None, f"{len(awaiting)} account(s) awaiting ODS on the logo", awaiting
    return True, "Every account's latest captured profile is branded (or exempt under P9)", []


@check("P9", "Non-branded campaign accounts have counsel and ODS sign-off")
def campaign_signoffs(agency: Agency) -> tuple[bool, str, list[str]]:
    problems = []
    campaigns = [a for a in _active_accounts(agency) if a.account_type == AccountType.CAMPAIGN]
    for account in campaigns:
        application = getattr(account, "application", None)
        if application is None or not application.counsel_signoff_at:
            problems.append(f"{account}: no counsel sign-off")
        elif application.status != ApplicationStatus.APPROVED:
            problems.append(f"{account}: no ODS approval")
    if problems:
        return False, f"{len(problems)} campaign account(s) lack sign-off", problems
    return True, f"{len(campaigns)} campaign account(s), all signed off", []


@check("P10", "Individual official accounts have a current owner",
       passes="Every individual account belongs to current staff",
       fails="{n} individual account(s) need a new owner")
def individual_owners(agency: Agency) -> list[str]:
    problems = []
    for account in _active_accounts(agency):
        if account.account_type != AccountType.INDIVIDUAL:
            continue
        owner = account.owner
        if owner is None or not owner.is_active or \
                not owner.role_assignments.filter(agency=agency).exists():
            problems.append(f"{account}: owner {owner or 'none'} has left; transfer it")
    return problems


@check("P13", "Privileged staff log in with a second factor",
       passes="Every admin and counsel has a second factor",
       fails="{n} privileged person(s) have not set up a second factor")
def second_factor(agency: Agency) -> list[str]:
    privileged = {ra.person for ra in agency.role_assignments.select_related("person")
                  if ra.role in SECOND_FACTOR_ROLES and ra.person.is_active}
    with_device = set(TOTPDevice.objects.filter(user__in=privileged, confirmed=True)
                      .values_list("user_id", flat=True))
    missing = sorted(str(p) for p in privileged if p.pk not in with_device)
    return missing


@check("P13", "Platform credentials are in the vault and rotated on time",
       passes="Every active account's credential is in the vault and within its rotation period",
       fails="{n} account credential(s) outside the vault or due for rotation")
def credentials_in_vault(agency: Agency) -> list[str]:
    """An account served from an environment variable (`civicsocial vault import-env`), or
    whose secret is older than the agency's rotation period. An account with no credential
    at all is read without signing in and has nothing to rotate."""
    accounts = _active_accounts(agency)
    stored = {row.name: row for row in VaultSecret.objects.filter(name__in=[a.secret_name for a in accounts])}
    problems = []
    for account in accounts:
        row = stored.get(account.secret_name)
        if row is None and environment_secret(account):
            problems.append(f"{account}: credential in an environment variable, not the vault")
        elif row is not None and rotation_due(account, row):
            problems.append(f"{account}: credential set {row.age_days} days ago "
                            f"(rotate every {agency.secret_rotation_days})")
    return problems


@check("P21", "Every account's inbox reviewed in the last 24 hours",
       passes="Every active account reviewed on time",
       fails="{n} account(s) overdue for their daily review")
def inbox_reviewed(agency: Agency) -> list[str]:
    from civicsocial.inbox.review import clocks

    overdue = [f"{c.account.handle}: due {timezone.localtime(c.due_at):%Y-%m-%d %H:%M}, "
               f"{c.new_items} new item(s)" for c in clocks(agency.accounts.all()) if c.overdue]
    return overdue


@check("P20", "Current terms of service reviewed for every platform in use")
def terms_reviewed(agency: Agency) -> tuple[bool, str, list[str]]:
    platforms = sorted({a.platform for a in _active_accounts(agency)})
    problems = [problem for platform in platforms if (problem := terms_problem(agency, platform))]
    if problems:
        return False, f"{len(problems)} platform(s) without a current review", problems
    return True, f"Current terms reviewed for {len(platforms)} platform(s)", []


@check("P5", "Every official post came from a reviewed and approved draft",
       passes="Every official post captured in the last 90 days came from an approved draft",
       fails="{n} official post(s) published outside Civic Social")
def posts_reviewed(agency: Agency) -> list[str]:
    return posted_outside(agency)


@check("P12", "Scheduled content goes through the city's vendor",
       passes="Every scheduled post of the last 90 days went through the vendor",
       fails="{n} scheduled post(s) sent without the vendor")
def vendor_scheduling(agency: Agency) -> list[str]:
    return scheduled_around_vendor(agency)
