"""What must be true before anything goes out in an account's name: the one place that
says so, for the publishing gates (issue 19) and the compliance report alike.

- P2: the account is active and was approved on an application with a continuity plan;
- P4: the person acting for it is authorized for it and has a current training;
- P20: its agency reviewed the platform's current terms;
- P14: it is not frozen by a security incident.

Each function returns the problem in words, or "" when there is none.
"""

from __future__ import annotations

from datetime import date, datetime

from civicsocial.registry.models import Account, AccountStatus, Agency, ApplicationStatus, Person
from civicsocial.registry.services import current_terms, current_training


def application_problem(account: Account) -> str:
    """P2: why the account may not speak for the city, as far as its application goes."""
    if account.status != AccountStatus.ACTIVE:
        return f"{account} is {account.get_status_display().lower()}, not active (P2)"
    application = getattr(account, "application", None)
    if application is None or application.status != ApplicationStatus.APPROVED:
        return f"{account}: no approved application (P2)"
    if not application.continuity_plan.strip():
        return f"{account}: approved without a continuity plan (P2)"
    return ""


def terms_problem(agency: Agency, platform: str, label: str = "") -> str:
    """P20: the agency has not reviewed the platform's terms now in effect."""
    terms = current_terms(platform)
    if terms is None:
        return f"{label or platform}: ODS has recorded no terms version (P20)"
    if not agency.tos_reviews.filter(terms=terms).exists():
        return f"{label or platform}: terms {terms.version} not reviewed (P20)"
    return ""


def authorization_problem(person: Person, account: Account, on: date | None = None) -> str:
    """P4: the person may not act for the account (no live authorization, or no current
    training)."""
    if not person.is_active:
        return f"{person} is no longer active"
    if not account.authorizations.filter(person=person, revoked_at__isnull=True).exists():
        return f"{person} is not authorized for {account} (P4)"
    if current_training(person, on) is None:
        return f"{person} has no current training (P4)"
    return ""


def frozen_since(account: Account) -> datetime | None:
    """When the account was frozen by an incident (None: it is not), read fresh from the
    database: a freeze made by another worker a moment ago counts."""
    return Account.objects.filter(pk=account.pk).values_list("frozen_at", flat=True).first()


def frozen_problem(account: Account) -> str:
    """P14: the account is frozen by an incident."""
    if frozen_since(account) is not None:
        return f"{account} is frozen by a security incident (P14)"
    return ""


def account_problems(account: Account) -> list[str]:
    """Everything that stops the account from publishing now (P2, P20, P14)."""
    found = [application_problem(account),
             terms_problem(account.agency, account.platform, account.get_platform_display()),
             frozen_problem(account)]
    return [problem for problem in found if problem]
