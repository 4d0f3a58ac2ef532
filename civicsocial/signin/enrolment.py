"""One-time enrolment codes (P13, issue 12): the first second factor of an ODS admin,
agency admin or counsel is set up only with a code an ODS admin issued them (or the
operator's command line), so a stolen password alone never lets an attacker enrol their
own authenticator. A code is shown once, kept as a hash, expires, works once, and dies
after a few wrong tries."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry.models import Person
from civicsocial.registry.permissions import is_ods_admin, needs_second_factor
from civicsocial.security import audit
from civicsocial.signin.models import EnrolmentCode

VALID_FOR = timedelta(hours=72)
MAX_FAILURES = 5
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def needs_code(person: Person) -> bool:
    """A privileged person enrolling their first authenticator."""
    return needs_second_factor(person) and \
        not TOTPDevice.objects.filter(user=person, confirmed=True).exists()


@transaction.atomic
def issue_code(actor: Person | None, person: Person) -> str:
    """A new code for `person` (earlier unused ones stop working). Shown once."""
    if actor is not None and (not is_ods_admin(actor) or actor.pk == person.pk):
        raise PermissionDenied("An ODS admin issues enrolment codes, never for themselves.")
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
    now = timezone.now()
    EnrolmentCode.objects.filter(person=person, used_at__isnull=True).update(expires_at=now)
    EnrolmentCode.objects.create(person=person, code_hash=make_password(code), issued_by=actor,
                                 issued_at=now, expires_at=now + VALID_FOR)
    audit.record(actor, "second_factor.code_issued", person)
    return code


@transaction.atomic
def use_code(person: Person, code: str) -> bool:
    """True, and the code spent, when `code` is the person's live code."""
    live = EnrolmentCode.objects.select_for_update().filter(
        person=person, used_at__isnull=True, expires_at__gt=timezone.now(),
        failures__lt=MAX_FAILURES).first()
    if live is None:
        return False
    if not check_password(code.strip().upper(), live.code_hash):
        live.failures += 1
        live.save(update_fields=["failures"])
        return False
    live.used_at = timezone.now()
    live.save(update_fields=["used_at"])
    audit.record(person, "second_factor.code_used", person)
    return True
