"""OAuth 2.0 tokens that refresh themselves (P13, issue 18): the access and refresh tokens
of a platform or vendor (Hootsuite, and the big platforms after it) live in the vault; an
adapter asks `access_token` at call time and gets one that is good for at least a minute.
One that is about to expire is refreshed with the refresh token (Authlib, the client
secret from the vault) and both new tokens are stored at once, under a lock on the
refresh token's entry, so two workers refreshing together spend the refresh token once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from authlib.integrations.httpx_client import OAuth2Client
from authlib.integrations.httpx_client import OAuthError as AuthlibError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.security import vault
from civicsocial.security.models import SecretKind, VaultSecret

MARGIN = timedelta(minutes=1)  # an access token with less left than this is refreshed first


class OAuthError(PlatformError):
    """The token could not be refreshed: someone has to authorize the connection again."""


@dataclass(frozen=True)
class OAuthConnection:
    """One authorized connection: its vault entries are `NAME:access_token`,
    `NAME:refresh_token` and the client secret's."""

    name: str
    label: str
    token_endpoint: str
    client_id: str
    client_secret_name: str
    agency_id: int | None = None
    # How the client authenticates at the token endpoint (RFC 6749 2.3.1): in the body, or
    # in an HTTP Basic header (Hootsuite accepts only that).
    auth_method: str = "client_secret_post"

    @property
    def access_name(self) -> str:
        return f"{self.name}:access_token"

    @property
    def refresh_name(self) -> str:
        return f"{self.name}:refresh_token"


def _expiry(token: dict[str, Any]) -> datetime | None:
    if token.get("expires_at"):
        return datetime.fromtimestamp(float(token["expires_at"]), tz=UTC)
    if token.get("expires_in"):
        return timezone.now() + timedelta(seconds=float(token["expires_in"]))
    return None


@sensitive_variables("token")
def store_tokens(connection: OAuthConnection, token: dict[str, Any], actor: Any, reason: str) -> None:
    """Keep what a token endpoint answered: the access token with its expiry, and the
    refresh token when it sent one (a provider that rotates them sends a new one each time)."""
    access = vault.Entry(connection.access_name, f"{connection.label} access token", SecretKind.ACCESS_TOKEN,
                         connection.agency_id, expires_at=_expiry(token))
    vault.store(access, token["access_token"], actor, reason)
    if token.get("refresh_token"):
        vault.store(vault.Entry(connection.refresh_name, f"{connection.label} refresh token",
                                SecretKind.REFRESH_TOKEN, connection.agency_id),
                    token["refresh_token"], actor, reason)


def _fresh(name: str) -> bool:
    entry = vault.describe(name)
    return entry is not None and (entry.expires_at is None or entry.expires_at > timezone.now() + MARGIN)


@sensitive_variables("refresh", "secret", "token")
def access_token(connection: OAuthConnection) -> str:
    """An access token good for at least MARGIN, refreshed (and stored) if need be."""
    if _fresh(connection.access_name):
        return vault.reveal(connection.access_name) or ""
    with transaction.atomic():
        locked = VaultSecret.objects.select_for_update().filter(name=connection.refresh_name).first()
        if _fresh(connection.access_name):  # another worker refreshed while we waited
            return vault.reveal(connection.access_name) or ""
        refresh = vault.reveal(connection.refresh_name) if locked is not None else None
        if not refresh:
            raise OAuthError(f"{connection.label}: no refresh token; authorize the connection again")
        secret = vault.reveal(connection.client_secret_name) or ""
        try:
            with OAuth2Client(connection.client_id, secret, token_endpoint_auth_method=connection.auth_method,
                              timeout=30) as client:
                token = dict(client.refresh_token(connection.token_endpoint, refresh_token=refresh))
        except (AuthlibError, OSError) as error:
            raise OAuthError(f"{connection.label}: the refresh was refused ({error.__class__.__name__}); "
                             "authorize the connection again") from None
        store_tokens(connection, token, None, "refreshed")
        return str(token["access_token"])
