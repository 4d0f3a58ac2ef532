"""Platform credentials. Until the security vault exists they come from environment
variables, never from the repository or the database:

- `CIVICSOCIAL_BLUESKY_SERVICE`: the PDS the city's Bluesky accounts live on
  (default https://bsky.social); a Mastodon account's instance is the one its registered
  address names (https://nyc.social/@parks: https://nyc.social);
- `CIVICSOCIAL_BLUESKY_VERIFIERS`: the DIDs whose verification records make the blue
  check (comma-separated; default Bluesky's own, bsky.app);
- `CIVICSOCIAL_SECRET_<PLATFORM>_<HANDLE>`: the account's app password or token, the
  handle upper-cased with anything but letters and digits as `_`
  (parks.nyc.gov on Bluesky: `CIVICSOCIAL_SECRET_BLUESKY_PARKS_NYC_GOV`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.registry.models import Account


class MissingCredentials(PlatformError):
    """No secret is configured for the account."""


@dataclass(frozen=True)
class Credentials:
    service: str
    identifier: str
    secret: str


def secret_variable(platform: str, handle: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]", "_", handle.lstrip("@")).upper()
    return f"CIVICSOCIAL_SECRET_{platform.upper()}_{name}"


def credentials_for(account: Account) -> Credentials:
    variable = secret_variable(account.platform, account.handle)
    secret = os.environ.get(variable, "")
    if not secret:
        raise MissingCredentials(f"no credentials for {account.handle}: set {variable}")
    if account.platform == "bluesky":
        service = bluesky_service()
    else:  # a Mastodon account lives on the instance its address names
        parts = urlsplit(account.url)
        service = os.environ.get(f"CIVICSOCIAL_{account.platform.upper()}_SERVICE", "") or \
            f"{parts.scheme}://{parts.netloc}"
    return Credentials(service=service, identifier=account.handle.lstrip("@"), secret=secret)


def bluesky_service() -> str:
    """The PDS (or, in production, the relay) the city's Bluesky accounts are read from."""
    return os.environ.get("CIVICSOCIAL_BLUESKY_SERVICE", "") or "https://bsky.social"


BSKY_APP_VERIFIER = "did:plc:z72i7hdynmk6r22z27h6tvur"  # bsky.app, Bluesky's trusted verifier


def bluesky_verifiers() -> list[str]:
    """The trusted verifiers whose `app.bsky.graph.verification` records count (P8)."""
    configured = os.environ.get("CIVICSOCIAL_BLUESKY_VERIFIERS", "")
    return [did.strip() for did in configured.split(",") if did.strip()] or [BSKY_APP_VERIFIER]
