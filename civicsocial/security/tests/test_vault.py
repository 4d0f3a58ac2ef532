"""P13 (issue 18): the credential vault keeps secrets encrypted and write-only; a row alone,
a changed byte, a value moved between entries or the wrong master key give nothing."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from civicsocial.security import vault
from civicsocial.security.models import AuditEvent, SecretKind, VaultSecret
from civicsocial.security.vaultkeys import VaultError, current_key, key_id, write_key_file

CANARY = "canary-7Hq2-vX9p-Lm4t-Zr8w"


def entry(name: str = "open311:api_key", **changes: object) -> vault.Entry:
    return vault.Entry(**{"name": name, "label": f"test {name}", "kind": SecretKind.API_KEY, **changes})


class VaultTestCase(TestCase):
    def test_it_gives_back_what_was_stored(self):
        vault.store(entry(), CANARY, None)
        self.assertEqual(vault.reveal("open311:api_key"), CANARY)
        self.assertIsNone(vault.reveal("account:999"))

    def test_it_keeps_nothing_readable_in_the_row(self):
        row = vault.store(entry(), CANARY, None)
        stored = VaultSecret.objects.filter(pk=row.pk).values().get()
        as_text = repr(stored).encode() + bytes(stored["sealed"]) + bytes(stored["wrapped_key"])
        self.assertNotIn(CANARY.encode(), as_text)
        self.assertNotIn(current_key().key, as_text)  # nor the master key
        self.assertEqual(len(row.fingerprint), 16)

    def test_it_records_the_fingerprint_and_never_the_secret(self):
        first = vault.store(entry(), CANARY, None, reason="new key from 311")
        second = vault.store(entry(), CANARY + "-2", None, reason="rotated")
        events = AuditEvent.objects.filter(action="vault.secret_set").order_by("pk")
        self.assertEqual([e.changes["fingerprint"] for e in events],
                         [[None, first.fingerprint], [first.fingerprint, second.fingerprint]])
        self.assertNotIn(CANARY, repr(list(AuditEvent.objects.values())))
        self.assertEqual(VaultSecret.objects.count(), 1)

    def test_it_refuses_a_weak_password_a_person_chose(self):
        with self.assertRaises(ValidationError) as raised:
            vault.store(entry(chosen_by_person=True), "Password2024!", None)
        self.assertIn("too easy to guess", " ".join(raised.exception.messages))
        vault.store(entry(chosen_by_person=True), "violet anchor gravel sunrise tandem", None)

    def test_it_refuses_what_is_not_a_whole_token(self):
        for pasted in ("", "short", " padded-token-value "):
            with self.subTest(pasted=pasted), self.assertRaises(ValidationError):
                vault.store(entry(), pasted, None)
        self.assertFalse(VaultSecret.objects.exists())

    def test_it_refuses_a_changed_byte(self):
        row = vault.store(entry(), CANARY, None)
        sealed = bytearray(row.sealed)
        sealed[-1] ^= 1
        VaultSecret.objects.filter(pk=row.pk).update(sealed=bytes(sealed))
        with self.assertRaisesMessage(VaultError, "altered"):
            vault.reveal("open311:api_key")

    def test_it_refuses_a_value_moved_onto_another_entry(self):
        vault.store(entry("account:1"), CANARY, None)
        other = vault.store(entry("account:2"), "another-token-value", None)
        moved = VaultSecret.objects.get(name="account:1")
        VaultSecret.objects.filter(pk=other.pk).update(sealed=moved.sealed, wrapped_key=moved.wrapped_key)
        with self.assertRaises(VaultError):
            vault.reveal("account:2")

    def test_it_notes_use_at_most_once_a_minute(self):
        vault.store(entry(), CANARY, None)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            vault.reveal("open311:api_key")
        with time_machine.travel(start + timedelta(seconds=30), tick=False):
            vault.reveal("open311:api_key")
        self.assertEqual(VaultSecret.objects.get().last_used_at, start)
        with time_machine.travel(start + timedelta(minutes=2), tick=False):
            vault.reveal("open311:api_key")
        self.assertEqual(VaultSecret.objects.get().last_used_at, start + timedelta(minutes=2))

    def test_it_forgets_with_a_reason(self):
        vault.store(entry(), CANARY, None)
        self.assertTrue(vault.forget("open311:api_key", None, "key revoked by 311"))
        self.assertIsNone(vault.reveal("open311:api_key"))
        self.assertEqual(AuditEvent.objects.get(action="vault.secret_removed").reason, "key revoked by 311")
        self.assertFalse(vault.forget("open311:api_key", None, "again"))


class MasterKeyTestCase(TestCase):
    def key_file(self, name: str) -> Path:
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / name
        write_key_file(path)
        return path

    def test_it_rotates_the_master_key_and_then_needs_only_the_new_one(self):
        for n in range(5):
            vault.store(entry(f"account:{n}"), f"{CANARY}-{n}", None)
        old = os.environ["CIVICSOCIAL_VAULT_KEY_FILE"]
        new = self.key_file("new.key")
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_VAULT_KEY_FILE": str(new)}):
            with self.assertRaisesMessage(VaultError, "CIVICSOCIAL_VAULT_PREVIOUS_KEYS"):
                vault.reveal("account:0")  # the new key alone cannot open the old entries
            with mock.patch.dict(os.environ, {"CIVICSOCIAL_VAULT_PREVIOUS_KEYS": old}):
                result = vault.rotate_master()
                self.assertEqual((result.rewrapped, result.failed), (5, []))
                self.assertEqual(vault.rotate_master().already, 5)  # a second run has nothing to do
            self.assertEqual([vault.reveal(f"account:{n}") for n in range(5)],
                             [f"{CANARY}-{n}" for n in range(5)])
            self.assertEqual(set(VaultSecret.objects.values_list("key_id", flat=True)),
                             {key_id(new.read_bytes())})
        with self.assertRaises(VaultError):
            vault.reveal("account:0")  # and the old key no longer opens them

    def test_it_reports_an_entry_no_configured_key_opens(self):
        vault.store(entry(), CANARY, None)
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_VAULT_KEY_FILE": str(self.key_file("n.key"))}):
            result = vault.rotate_master()
        self.assertEqual(result.rewrapped, 0)
        self.assertIn("not configured", result.failed[0])

    def test_it_refuses_a_key_file_others_can_read_or_of_the_wrong_size(self):
        path = self.key_file("k.key")
        path.chmod(0o644)
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_VAULT_KEY_FILE": str(path)}):
            with self.assertRaisesMessage(VaultError, "chmod 600"):
                current_key()
            path.chmod(0o600)
            path.write_bytes(b"too short")
            with self.assertRaisesMessage(VaultError, "exactly 32 random bytes"):
                current_key()

    def test_it_takes_a_key_in_hex_and_refuses_a_malformed_one(self):
        key = os.urandom(32)
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_VAULT_KEY": key.hex()}):
            self.assertEqual(current_key().key, key)
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_VAULT_KEY": "zz" * 32}), \
                self.assertRaisesMessage(VaultError, "not hexadecimal"):
            current_key()

    def test_it_never_overwrites_a_key_file(self):
        path = self.key_file("k.key")
        before = path.read_bytes()
        with self.assertRaisesMessage(VaultError, "never overwritten"):
            write_key_file(path)
        self.assertEqual(path.read_bytes(), before)
