"""Platform credentials. An account's secret (app password or token) comes from the vault
(`security.vault`, P13: encrypted, write-only, entered on the account's page or with
`civicsocial vault set`). Where the vault has none, an environment variable still serves
(the demo and the tests use them; `civicsocial vault import-env` moves them into the vault,
and the compliance report flags each account still served from one). The rest of the
configuration is in the environment, never in the repository:

- `CIVICSOCIAL_BLUESKY_SERVICE`: the PDS the city's Bluesky accounts live on
  (default https://bsky.social); a Mastodon account's instance is the one its registered
  address names (https://nyc.social/@parks: https://nyc.social);
- `CIVICSOCIAL_FACEBOOK_SERVICE`, `_INSTAGRAM_`, `_X_`, `_YOUTUBE_`: another API host than the
  platform's own (the contract servers of the tests and the demo);
- `CIVICSOCIAL_BLUESKY_VERIFIERS`: the DIDs whose verification records make the blue
  check (comma-separated; default Bluesky's own, bsky.app);
- `CIVICSOCIAL_SECRET_<PLATFORM>_<HANDLE>`: an account's app password or token outside the
  vault, the
  handle upper-cased with anything but letters and digits as `_`
  (parks.nyc.gov on Bluesky: `CIVICSOCIAL_SECRET_BLUESKY_PARKS_NYC_GOV`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.views.decorators.debug import sensitive_variables

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.records.evidence_key import SIGNING_KEY_SECRET, SIGNING_KEY_VARIABLE
from civicsocial.registry.credentials import account_entry
from civicsocial.registry.models import Account
from civicsocial.security import vault
from civicsocial.security.models import SecretKind


class MissingCredentials(PlatformError):
    """No secret is configured for the account."""


@dataclass(frozen=True)
class Credentials:
    service: str
    identifier: str
    secret: str = field(repr=False)  # never in a log line or an error report


def secret_variable(platform: str, handle: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]", "_", handle.lstrip("@")).upper()
    return f"CIVICSOCIAL_SECRET_{platform.upper()}_{name}"


def environment_secret(account: Account) -> str:
    """The account's secret from its environment variable ("" if none is set)."""
    return os.environ.get(secret_variable(account.platform, account.handle), "")


@sensitive_variables("secret")
def credentials_for(account: Account) -> Credentials:
    """How to sign in as the account, at the moment an adapter needs it: the vault's
    secret, else the environment's."""
    secret = vault.reveal(account.secret_name) or environment_secret(account)
    if not secret:
        raise MissingCredentials(f"no credentials for {account.handle}: enter them on the account's page "
                                 f"or with `civicsocial vault set {account.platform}:{account.handle}` "
                                 f"(outside the vault: {secret_variable(account.platform, account.handle)})")
    return Credentials(service=platform_service(account), identifier=account.handle.lstrip("@"),
                       secret=secret)


# The platforms' own API hosts; CIVICSOCIAL_<PLATFORM>_SERVICE points elsewhere (the contract
# servers of the tests and the demo).
API_HOSTS = {"facebook": "https://graph.facebook.com", "instagram": "https://graph.facebook.com",
             "x": "https://api.x.com", "youtube": "https://youtube.googleapis.com"}


def platform_service(account: Account) -> str:
    """The address of the API the account is read through."""
    if account.platform == "bluesky":
        return bluesky_service()
    configured = os.environ.get(f"CIVICSOCIAL_{account.platform.upper()}_SERVICE", "")
    if configured or account.platform in API_HOSTS:
        return configured or API_HOSTS[account.platform]
    parts = urlsplit(account.url)  # a Mastodon account lives on the instance its address names
    return f"{parts.scheme}://{parts.netloc}"


def bluesky_service() -> str:
    """The PDS (or, in production, the relay) the city's Bluesky accounts are read from."""
    return os.environ.get("CIVICSOCIAL_BLUESKY_SERVICE", "") or "https://bsky.social"


BSKY_APP_VERIFIER = "did:plc:z72i7hdynmk6r22z27h6tvur"  # bsky.app, Bluesky's trusted verifier


def bluesky_verifiers() -> list[str]:
    """The trusted verifiers whose `app.bsky.graph.verification` records count (P8)."""
    configured = os.environ.get("CIVICSOCIAL_BLUESKY_VERIFIERS", "")
    return [did.strip() for did in configured.split(",") if did.strip()] or [BSKY_APP_VERIFIER]


@dataclass(frozen=True)
class ServiceSecret:
    """A city-wide credential that belongs to no one account (an Open311 key, a vendor's
    client secret), in the vault under `name`, or (outside the vault) in `variable`."""

    name: str
    label: str
    kind: str
    variable: str


OPEN311_API_KEY = ServiceSecret("open311:api_key", "Open311 API key", SecretKind.API_KEY,
                                "CIVICSOCIAL_OPEN311_API_KEY")
# The city's scheduling vendor (P12): its OAuth client secret, and the refresh token an
# authorization gave (the access tokens it yields are stored by platforms/oauth.py).
HOOTSUITE_CLIENT_SECRET = ServiceSecret("vendor:hootsuite:client_secret", "Hootsuite client secret",
                                        SecretKind.CLIENT_SECRET, "CIVICSOCIAL_HOOTSUITE_CLIENT_SECRET")
HOOTSUITE_REFRESH_TOKEN = ServiceSecret("vendor:hootsuite:refresh_token", "Hootsuite refresh token",
                                        SecretKind.REFRESH_TOKEN, "CIVICSOCIAL_HOOTSUITE_REFRESH_TOKEN")
# Meta's Webhooks (platforms/webhooks.py): the app secret signs each delivery; the verify
# token is the one entered in the app's Webhooks settings.
META_APP_SECRET = ServiceSecret("platform:meta:app_secret", "Meta app secret", SecretKind.CLIENT_SECRET,
                                "CIVICSOCIAL_META_APP_SECRET")
META_WEBHOOK_VERIFY_TOKEN = ServiceSecret("platform:meta:verify_token", "Meta Webhooks verify token",
                                          SecretKind.API_KEY, "CIVICSOCIAL_META_VERIFY_TOKEN")
# X: the city's project's app-only token, for reading what is left of the monthly cap.
X_APP_BEARER_TOKEN = ServiceSecret("platform:x:app_bearer_token", "X app bearer token", SecretKind.API_KEY,
                                   "CIVICSOCIAL_X_APP_BEARER_TOKEN")
# X's OAuth 2.0 client (CIVICSOCIAL_X_CLIENT_ID): its secret refreshes the accounts' tokens.
X_CLIENT_SECRET = ServiceSecret("platform:x:client_secret", "X OAuth 2.0 client secret",
                                SecretKind.CLIENT_SECRET, "CIVICSOCIAL_X_CLIENT_SECRET")
# The city's key for signing FOIL productions (issue 21; records/evidence.py reads it).
EVIDENCE_SIGNING_KEY = ServiceSecret(SIGNING_KEY_SECRET, "Evidence signing key", SecretKind.SIGNING_KEY,
                                     SIGNING_KEY_VARIABLE)
SERVICE_SECRETS = [OPEN311_API_KEY, HOOTSUITE_CLIENT_SECRET, HOOTSUITE_REFRESH_TOKEN, META_APP_SECRET,
                   META_WEBHOOK_VERIFY_TOKEN, X_APP_BEARER_TOKEN, X_CLIENT_SECRET, EVIDENCE_SIGNING_KEY]


@sensitive_variables()
def service_secret(secret: ServiceSecret) -> str:
    """The service's secret: the vault's, else its environment variable's ("" if neither)."""
    return vault.reveal(secret.name) or os.environ.get(secret.variable, "")


@dataclass
class Imported:
    stored: list[str]  # labels of what went into the vault
    kept: list[str]  # already in the vault: left as it was


@sensitive_variables()
def import_environment(actor: object = None) -> Imported:
    """`civicsocial vault import-env`: every account's and service's secret found in an
    environment variable goes into the vault (an entry already there is kept); afterwards
    the environment variables can be removed."""
    result = Imported([], [])
    found: list[tuple[vault.Entry, str]] = []
    for account in Account.objects.select_related("agency").order_by("pk"):
        value = environment_secret(account)
        if value:
            found.append((account_entry(account), value))
    for service in SERVICE_SECRETS:
        value = os.environ.get(service.variable, "")
        if value:
            found.append((vault.Entry(service.name, service.label, service.kind), value))
    for entry, value in found:
        if vault.describe(entry.name) is not None:
            result.kept.append(entry.label)
            continue
        vault.store(entry, value, actor, reason="moved from an environment variable")
        result.stored.append(entry.label)
    return result
