"""The adapter registry (`ADAPTERS`): which platforms have an adapter and how each is built
for an account. A new platform is a module beside this one and a line here; capture,
capabilities and the pages follow. (Kept out of the package's __init__, so the interface
in base.py can be imported without the registry and its credentials.)"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables

from civicsocial.platforms.adapters.base import Capability, NotSupported, PlatformAdapter, PlatformError
from civicsocial.platforms.adapters.frozen import FrozenAdapter
from civicsocial.platforms.credentials import (
    X_APP_BEARER_TOKEN,
    X_CLIENT_SECRET,
    Credentials,
    bluesky_verifiers,
    credentials_for,
    service_secret,
)
from civicsocial.platforms.oauth import OAuthConnection, access_token
from civicsocial.registry.gates import frozen_since
from civicsocial.registry.models import Account, AccountStatus
from civicsocial.security import vault
from civicsocial.security.models import SecretKind


@dataclass(frozen=True)
class Registered:
    """A platform's adapter class (imported on first use: the SDKs are heavy) and how an
    adapter is built for one account from its credentials."""

    adapter: str
    build: Callable[[Any, Account, Credentials], PlatformAdapter]  # (the adapter class, ...)

    def adapter_class(self) -> type[PlatformAdapter]:
        """The adapter class."""
        return import_string(self.adapter)


@sensitive_variables("found", "granted")
def x_token(account: Account, found: Credentials) -> str:
    """The X account's access token. Its secret is either that token, or (X's user tokens
    last two hours) `{"refresh_token": ...}` from the OAuth 2.0 authorization: then the
    tokens live in the vault as a connection of the city's X client and are refreshed there,
    once for all workers (platforms/oauth.py; X hands back a new refresh token each time)."""
    try:
        granted = json.loads(found.secret)
    except ValueError:
        return found.secret
    if not isinstance(granted, dict) or not granted.get("refresh_token"):
        return found.secret
    client_id = os.environ.get("CIVICSOCIAL_X_CLIENT_ID", "")
    if not client_id:
        raise PlatformError(
            "the X account's secret is a refresh token, but no X client is configured "
            "(CIVICSOCIAL_X_CLIENT_ID, and its secret in the vault)"
        )
    connection = OAuthConnection(
        f"x:{account.handle}",
        f"X {account.handle}",
        f"{found.service}/2/oauth2/token",
        client_id,
        X_CLIENT_SECRET.name,
        account.agency_id,
        "client_secret_basic",
    )
    if vault.describe(connection.refresh_name) is None:  # first use: the grant becomes the vault's
        entry = vault.Entry(connection.refresh_name, f"{connection.label} refresh token",
                            SecretKind.REFRESH_TOKEN, account.agency_id)
        vault.store(entry, str(granted["refresh_token"]), None, "from the account's grant")
    return access_token(connection)


def x_cap_sharing() -> dict[str, Any]:
    """What the X adapter needs to spread the project's monthly cap: the app token that reads
    the usage, how many runs a day, and how many accounts share it."""
    active = Account.objects.filter(platform="x", status=AccountStatus.ACTIVE).count()
    return {
        "app_token": service_secret(X_APP_BEARER_TOKEN),
        "accounts_sharing_cap": active,
        "runs_per_day": 86400 / settings.CAPTURE_INTERVAL_SECONDS,
    }


ADAPTERS: dict[str, Registered] = {
    "bluesky": Registered(
        "civicsocial.platforms.adapters.bluesky.BlueskyAdapter",
        lambda cls, account, found: cls(found.service, found.identifier, found.secret,
                                        verifiers=bluesky_verifiers())),
    "mastodon": Registered(
        "civicsocial.platforms.adapters.mastodon.MastodonAdapter",
        lambda cls, account, found: cls(found.service, account.handle, found.secret)),
    "facebook": Registered(
        "civicsocial.platforms.adapters.facebook.FacebookAdapter",
        lambda cls, account, found: cls(found.service, account.handle, found.secret)),
    "instagram": Registered(
        "civicsocial.platforms.adapters.instagram.InstagramAdapter",
        lambda cls, account, found: cls(found.service, account.handle, found.secret)),
    "x": Registered(
        "civicsocial.platforms.adapters.x.XAdapter",
        lambda cls, account, found: cls(found.service, account.handle, x_token(account, found),
                                        **x_cap_sharing())),
    "youtube": Registered(
        "civicsocial.platforms.adapters.youtube.YouTubeAdapter",
        lambda cls, account, found: cls(found.service, account.handle, found.secret)),
}


def captured_platforms() -> list[str]:
    """The platforms that have an adapter, so their accounts are captured."""
    return list(ADAPTERS)


def adapter_for(account: Account) -> PlatformAdapter:
    """The adapter that speaks for this account, with its credentials; for a frozen
    account (P14, read fresh from the database) one that reads and refuses to act."""
    registered = ADAPTERS.get(account.platform)
    if registered is None:
        raise NotSupported(f"capture from {account.get_platform_display()} is not built yet")
    adapter = registered.build(registered.adapter_class(), account, credentials_for(account))
    since = frozen_since(account)
    return adapter if since is None else cast(PlatformAdapter, FrozenAdapter(adapter, account, since))


def capabilities_of(platform: str) -> frozenset[Capability]:
    """What the platform's adapter can do (empty for a platform with no adapter yet)."""
    registered = ADAPTERS.get(platform)
    return registered.adapter_class().capabilities if registered else frozenset()
