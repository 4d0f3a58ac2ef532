"""The vault's master keys (P13, issue 18). They never enter the database: the current key
comes from a file of 32 random bytes (`CIVICSOCIAL_VAULT_KEY_FILE`) or 64 hex digits
(`CIVICSOCIAL_VAULT_KEY`); while the master key is being rotated, the keys it replaces are
named in `CIVICSOCIAL_VAULT_PREVIOUS_KEYS` (files or hex, comma-separated), to unwrap only.
In development (CIVICSOCIAL_DEBUG=1) with none configured, one is generated in var/.

Each key has an id (a hash of the key, not the key) stored beside what it wrapped, so the
vault knows which key opens which secret and what a rotation has left to do.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

KEY_BYTES = 32


class VaultError(Exception):
    """The vault cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes = field(repr=False)


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"civicsocial-vault-key-id:" + key).hexdigest()[:16]


def _parse_hex(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise VaultError(f"{where} is not hexadecimal: it must be 64 hex digits.") from None
    if len(key) != KEY_BYTES:
        raise VaultError(f"{where} must be 64 hex digits (32 bytes), not {len(text.strip())}.")
    return key


def _read_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise VaultError(f"Cannot read the vault key file {path}: {error.strerror}.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VaultError(f"The vault key file {path} can be read by others: chmod 600 {path}.")
    if len(data) != KEY_BYTES:
        raise VaultError(f"The vault key file {path} must hold exactly {KEY_BYTES} random bytes "
                         f"(it holds {len(data)}); make one with `civicsocial vault new-key --out FILE`.")
    return data


def _load(value: str, where: str) -> bytes:
    """A key named by a path or given as hex digits."""
    text = value.strip()
    if len(text) == 2 * KEY_BYTES and all(c in "0123456789abcdefABCDEF" for c in text):
        return _parse_hex(text, where)
    return _read_file(Path(text))


def write_key_file(path: Path) -> MasterKey:
    """A new master key in a file only its owner can read (refuses to overwrite one)."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise VaultError(f"{path} exists: a master key is never overwritten.") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    return MasterKey(key_id(key), key)


def current_key() -> MasterKey:
    """The key that wraps every secret stored from now on."""
    hex_key = os.environ.get("CIVICSOCIAL_VAULT_KEY", "")
    if hex_key:
        key = _parse_hex(hex_key, "CIVICSOCIAL_VAULT_KEY")
        return MasterKey(key_id(key), key)
    path = os.environ.get("CIVICSOCIAL_VAULT_KEY_FILE", "")
    if not path and settings.DEBUG:  # development: one key per checkout, never committed
        generated = Path(settings.VAR_DIR) / "vault.key"
        if not generated.exists():
            write_key_file(generated)
        path = str(generated)
    if not path:
        raise VaultError("No vault master key: set CIVICSOCIAL_VAULT_KEY_FILE to a file of 32 random "
                         "bytes (civicsocial vault new-key --out FILE) or CIVICSOCIAL_VAULT_KEY.")
    key = _read_file(Path(path))
    return MasterKey(key_id(key), key)


def keyring() -> dict[str, MasterKey]:
    """Every key the vault may unwrap with, by id: the current one and those it replaces."""
    keys = [current_key()]
    for n, value in enumerate(filter(None, os.environ.get("CIVICSOCIAL_VAULT_PREVIOUS_KEYS", "").split(","))):
        key = _load(value, f"CIVICSOCIAL_VAULT_PREVIOUS_KEYS (entry {n + 1})")
        keys.append(MasterKey(key_id(key), key))
    return {k.key_id: k for k in keys}
