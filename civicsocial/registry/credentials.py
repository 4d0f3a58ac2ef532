"""An account's credential in the vault (P13, issue 18): what the vault is told of it, and
entering it from a page (the vault itself is `security.vault`)."""

from __future__ import annotations

from django.views.decorators.debug import sensitive_variables

from civicsocial.registry.models import Account, Person
from civicsocial.registry.permissions import Action, require
from civicsocial.security import vault
from civicsocial.security.models import SecretKind, VaultSecret


def account_entry(account: Account, kind: str = SecretKind.APP_PASSWORD,
                  chosen_by_person: bool = False) -> vault.Entry:
    """The vault entry of an account's secret."""
    return vault.Entry(account.secret_name, f"credential of {account}", kind, account.agency_id,
                       chosen_by_person)


def rotation_due(account: Account, entry: VaultSecret | None) -> bool:
    """P13: the account's credential is older than its agency's rotation period."""
    return entry is not None and entry.age_days >= account.agency.secret_rotation_days


@sensitive_variables("secret")
def store_account_secret(actor: Person, account: Account, secret: str, kind: str,
                         chosen_by_person: bool, reason: str) -> VaultSecret:
    """Enter or replace an account's secret: its agency admin or ODS (P13)."""
    require(actor, Action.MANAGE_CREDENTIALS, account.agency)
    return vault.store(account_entry(account, kind, chosen_by_person), secret, actor, reason)
