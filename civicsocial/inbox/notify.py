"""E-mail to the people an agency relies on (Django's mail: the console in the demo)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from civicsocial.registry.models import Agency, Person


def people_with_role(agency: Agency, role: str) -> list[Person]:
    """Active people holding `role` in the agency."""
    return list(Person.objects.filter(role_assignments__agency=agency,
                                      role_assignments__role=role, is_active=True).distinct())


def addresses(people: list[Person]) -> list[str]:
    return sorted({p.email for p in people if p.email})


def send(subject: str, body: str, recipients: list[str]) -> int:
    """Send one message to every recipient once what it tells of is committed (at once
    outside a transaction; never, if it rolls back: a worker that lost a race tells no
    one); returns how many were addressed."""
    if not recipients:
        return 0
    transaction.on_commit(lambda: send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL,
                                            recipients))
    return len(recipients)
