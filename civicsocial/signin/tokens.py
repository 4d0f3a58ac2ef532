"""API tokens for scripts (issue 18): made by a person for themselves, scoped no wider
than their own roles (`registry.permissions.TokenScope` narrows every check), with an
expiry; shown once and stored as a digest; revocable; the last use recorded. A request
with `Authorization: Bearer cs_...` acts as the person within the token's scope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from civicsocial.registry.models import Agency, Person
from civicsocial.registry.permissions import Action, TokenScope, agencies_for, can, is_ods_admin
from civicsocial.security import audit
from civicsocial.signin.models import ApiToken

PREFIX = "cs_"
LONGEST_DAYS = 365
USE_RECORDED_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def grantable_actions(person: Person) -> list[Action]:
    """The actions the person may do somewhere: what a token of theirs may name."""
    return [a for a in Action if agencies_for(person, a).exists() or can(person, a)]


@transaction.atomic
def issue(person: Person, name: str, agencies: list[Agency], actions: list[str], days: int,
          citywide: bool = False) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once, never stored)."""
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": "Name the token after the script that uses it."})
    if not 1 <= days <= LONGEST_DAYS:
        raise ValidationError({"days": f"A token lasts 1 to {LONGEST_DAYS} days."})
    if citywide and not is_ods_admin(person):
        raise ValidationError({"agencies": "Only an ODS admin's token may cover every agency."})
    if not citywide and not agencies:
        raise ValidationError({"agencies": "Choose the agencies the token may act in."})
    allowed = set(grantable_actions(person))
    wider = [a for a in actions if a not in allowed]
    if wider or not actions:
        raise ValidationError({"actions": f"Not yours to give: {', '.join(wider)}" if wider else
                               "Choose what the token may do."})
    theirs = set(agencies_for(person, Action.VIEW_AGENCY))
    if any(a not in theirs for a in agencies):
        raise ValidationError({"agencies": "A token acts only in agencies where you hold a role."})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(person=person, name=name, prefix=secret[:12], digest=_digest(secret),
                                    citywide=citywide, actions=sorted({*actions, Action.VIEW_AGENCY}),
                                    expires_at=timezone.now() + timedelta(days=days))
    token.agencies.set(agencies)
    audit.record(person, "token.issued", person, reason=name,
                 changes={"token": [None, f"{token.prefix}... {', '.join(token.actions)} until "
                                          f"{token.expires_at:%Y-%m-%d}"]})
    return token, secret


def authenticate(secret: str) -> ApiToken | None:
    """The live token this secret opens (None: unknown, wrong, expired or revoked)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = ApiToken.objects.filter(prefix=secret[:12]).select_related("person").first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)) or not token.active \
            or not token.person.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def scope_of(token: ApiToken) -> TokenScope:
    return TokenScope(frozenset(token.agencies.values_list("pk", flat=True)), frozenset(token.actions),
                      token.citywide)


def revoke(person: Person, token: ApiToken) -> None:
    """A person revokes their own token (or ODS anyone's)."""
    if token.person_id != person.pk and not is_ods_admin(person):
        raise ValidationError("Not your token.")
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        audit.record(person, "token.revoked", token.person, changes={"token": [token.prefix + "...", None]})


FAILURES_ALLOWED = 20  # wrong tokens from one address in FAILURE_WINDOW, then 429
FAILURE_WINDOW = 600


def _failures_key(address: str) -> str:
    return f"api-token-failures:{address}"


def throttled(address: str) -> bool:
    """Whether this address sent too many wrong tokens lately (guessing is throttled)."""
    return int(cache.get(_failures_key(address), 0)) >= FAILURES_ALLOWED


def note_failure(address: str) -> None:
    key = _failures_key(address)
    cache.add(key, 0, FAILURE_WINDOW)
    cache.incr(key)
