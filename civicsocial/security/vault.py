"""The credential vault (P13: complex passwords, never sent anywhere; issue 18).

Write-only: a secret goes in with `store` and comes out only through `reveal`, called by
an adapter at the moment it talks to the platform. Each secret is sealed with a data key
of its own (AES-256-GCM, the `cryptography` library), bound to its name so a sealed value
cannot be moved onto another row; the data key is wrapped by the master key
(`vaultkeys`). Rotating the master key rewraps the data keys only, one secret per
transaction, so a rotation killed half way is finished by running it again.

Pages and commands show what `VaultSecret` says of a secret (its fingerprint, who set it
and when, when it was last used), never the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from civicsocial.security import audit
from civicsocial.security.models import SecretKind, VaultSecret
from civicsocial.security.passwords import ZxcvbnValidator
from civicsocial.security.vaultkeys import MasterKey, VaultError, current_key, keyring

NONCE_BYTES = 12
SHORTEST = 8  # a platform-issued token or key shorter than this is a paste gone wrong
LONGEST = 8192
USE_RECORDED_EVERY = timedelta(minutes=1)  # `last_used_at` is written at most this often


def _seal(key: bytes, data: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, context)


def _open(key: bytes, sealed: bytes, context: bytes, name: str) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag:
        raise VaultError(f"The vault entry {name} does not open: it was altered, or the master "
                         "key is not the one that sealed it.") from None


def _secret_context(name: str) -> bytes:
    return b"civicsocial-vault:secret:" + name.encode()


def _key_context(name: str, key_id: str) -> bytes:
    return b"civicsocial-vault:data-key:" + name.encode() + b":" + key_id.encode()


def _fingerprint(data_key: bytes, secret: str) -> str:
    return hmac.new(data_key, b"fingerprint:" + secret.encode(), hashlib.sha256).hexdigest()[:16]


def check_strength(secret: str, chosen_by_person: bool) -> None:
    """P13: a password a person chose must be hard to guess (zxcvbn); anything else at
    least looks like a whole token."""
    if not secret or secret != secret.strip():
        raise ValidationError({"secret": "Enter the secret without spaces around it."})
    if len(secret) > LONGEST:
        raise ValidationError({"secret": f"A secret is at most {LONGEST} characters."})
    if chosen_by_person:
        try:
            ZxcvbnValidator(min_score=4).validate(secret)
        except ValidationError as error:
            raise ValidationError({"secret": error.messages}) from None
    elif len(secret) < SHORTEST:
        raise ValidationError({"secret": f"That is too short for a platform's token or key "
                                         f"(at least {SHORTEST} characters)."})


def generate() -> str:
    """A password for a person to set on the platform: 24 random characters."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Entry:
    """What `store` is told of a secret besides the secret itself."""

    name: str
    label: str
    kind: str = SecretKind.APP_PASSWORD
    agency_id: int | None = None
    chosen_by_person: bool = False
    expires_at: datetime | None = None


@sensitive_variables("secret", "data_key")
@transaction.atomic
def store(entry: Entry, secret: str, actor: Any, reason: str = "") -> VaultSecret:
    """Put a secret in the vault (replacing the one of that name), checked for strength,
    and record who did it in the audit log (its fingerprint, never the secret)."""
    check_strength(secret, entry.chosen_by_person)
    master = current_key()
    data_key = AESGCM.generate_key(bit_length=256)
    row = VaultSecret.objects.select_for_update().filter(name=entry.name).first() or \
        VaultSecret(name=entry.name)
    before = row.fingerprint
    row.label, row.kind, row.agency_id = entry.label, entry.kind, entry.agency_id
    row.sealed = _seal(data_key, secret.encode(), _secret_context(entry.name))
    row.wrapped_key = _seal(master.key, data_key, _key_context(entry.name, master.key_id))
    row.key_id, row.fingerprint = master.key_id, _fingerprint(data_key, secret)
    row.chosen_by_person, row.expires_at = entry.chosen_by_person, entry.expires_at
    row.set_at, row.last_used_at = timezone.now(), None
    row.set_by = actor if getattr(actor, "pk", None) else None
    row.save()
    audit.record(actor, "vault.secret_set", row, agency_id=entry.agency_id, reason=reason,
                 changes={"fingerprint": [before or None, row.fingerprint]})
    return row


@sensitive_variables("data_key")
def _data_key(row: VaultSecret, keys: dict[str, MasterKey]) -> bytes:
    master = keys.get(row.key_id)
    if master is None:
        raise VaultError(f"The vault entry {row.name} is wrapped by master key {row.key_id}, which is "
                         "not configured: name it in CIVICSOCIAL_VAULT_PREVIOUS_KEYS.")
    return _open(master.key, bytes(row.wrapped_key), _key_context(row.name, row.key_id), row.name)


@sensitive_variables("data_key", "secret")
def reveal(name: str) -> str | None:
    """The secret, for an adapter about to call its platform (None: no such entry).
    Notes when it was used (at most once a minute, so a busy capture does not write
    on every call)."""
    row = VaultSecret.objects.filter(name=name).first()
    if row is None:
        return None
    data_key = _data_key(row, keyring())
    secret = _open(data_key, bytes(row.sealed), _secret_context(name), name).decode()
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= USE_RECORDED_EVERY:
        VaultSecret.objects.filter(pk=row.pk).update(last_used_at=now)
    return secret


def describe(name: str) -> VaultSecret | None:
    """What pages show of an entry (the row; templates never show its sealed fields)."""
    return VaultSecret.objects.filter(name=name).select_related("set_by").first()


@transaction.atomic
def forget(name: str, actor: Any, reason: str) -> bool:
    """Remove an entry (the account is retired, the key revoked); recorded with a reason."""
    row = VaultSecret.objects.select_for_update().filter(name=name).first()
    if row is None:
        return False
    audit.record(actor, "vault.secret_removed", row, agency_id=row.agency_id, reason=reason,
                 changes={"fingerprint": [row.fingerprint, None]})
    row.delete()
    return True


@dataclass
class Rotation:
    rewrapped: int = 0
    already: int = 0
    failed: list[str] | None = None


def rotate_master(progress: Callable[[int, int], None] | None = None) -> Rotation:
    """Rewrap every data key that the current master key did not wrap, each in its own
    transaction (a rotation stopped half way resumes where it was). The previous keys
    must be in CIVICSOCIAL_VAULT_PREVIOUS_KEYS until this reports nothing left."""
    keys, master = keyring(), current_key()
    result = Rotation(failed=[])
    pending = list(VaultSecret.objects.exclude(key_id=master.key_id).values_list("pk", flat=True))
    result.already = VaultSecret.objects.filter(key_id=master.key_id).count()
    for n, pk in enumerate(pending, 1):
        try:
            _rewrap(pk, keys, master)
            result.rewrapped += 1
        except VaultError as error:
            result.failed.append(str(error))  # type: ignore[union-attr]
        if progress:
            progress(n, len(pending))
    return result


@sensitive_variables("data_key")
@transaction.atomic
def _rewrap(pk: int, keys: dict[str, MasterKey], master: MasterKey) -> None:
    row = VaultSecret.objects.select_for_update().get(pk=pk)
    if row.key_id == master.key_id:
        return  # another rotation got here first
    data_key = _data_key(row, keys)
    row.wrapped_key = _seal(master.key, data_key, _key_context(row.name, master.key_id))
    before, row.key_id = row.key_id, master.key_id
    row.save(update_fields=["wrapped_key", "key_id"])
    audit.record(None, "vault.master_rotated", row, agency_id=row.agency_id,
                 changes={"key_id": [before, master.key_id]})
