"""A frozen account's adapter (P14, issue 18): while an incident is open, reading goes on
(capture keeps what an attacker posts, as evidence) and every act on the platform in the
account's name is refused: replies, 311 referrals, moderation, publishing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from civicsocial.platforms.adapters.base import PlatformAdapter, PlatformError
from civicsocial.registry.gates import frozen_since
from civicsocial.registry.models import Account

# What an adapter does on the platform (everything else reads). A new acting method goes
# here, or it would pass through a freeze.
ACTING = frozenset({"publish", "hide", "unhide", "delete", "schedule", "unschedule"})


class AccountFrozen(PlatformError):
    """The account is frozen by an incident: ODS lifts it once the credentials are rotated."""


def refuse_if_frozen(account: Account) -> None:
    """Raise AccountFrozen for a frozen account: for a path that does more than call the
    platform (a 311 referral files a service request before it replies)."""
    since = frozen_since(account)
    if since is not None:
        raise AccountFrozen(_frozen_message(account, since))


def _frozen_message(account: Account, since: datetime) -> str:
    return (f"{account} is frozen by a security incident since {timezone.localtime(since):%Y-%m-%d %H:%M} "
            "(P14): nothing is sent in its name until ODS lifts the freeze.")


class FrozenAdapter:
    """Wraps the account's adapter: reads pass through, acts raise AccountFrozen."""

    def __init__(self, inner: PlatformAdapter, account: Account, since: datetime) -> None:
        self._inner = inner
        self._account = account
        self._since = since

    def __getattr__(self, name: str) -> Any:
        if name in ACTING:
            return self._refuse
        return getattr(self._inner, name)

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise AccountFrozen(_frozen_message(self._account, self._since))
