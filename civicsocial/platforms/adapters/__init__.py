"""Platform adapters: one module per platform, one interface (base.PlatformAdapter)."""

from __future__ import annotations

from civicsocial.platforms.adapters.base import Capability, NotSupported, PlatformAdapter
from civicsocial.registry.models import Account


def adapter_for(account: Account) -> PlatformAdapter:
    """The adapter that speaks for this account, with its credentials."""
    from civicsocial.platforms.credentials import credentials_for

    if account.platform == "bluesky":
        from civicsocial.platforms.adapters.bluesky import BlueskyAdapter
        from civicsocial.platforms.credentials import bluesky_verifiers

        found = credentials_for(account)
        return BlueskyAdapter(found.service, found.identifier, found.secret,
                              verifiers=bluesky_verifiers())
    if account.platform == "mastodon":
        from civicsocial.platforms.adapters.mastodon import MastodonAdapter

        found = credentials_for(account)
        return MastodonAdapter(found.service, account.handle, found.secret)
    raise NotSupported(f"capture from {account.get_platform_display()} is not built yet")


def capabilities_of(platform: str) -> frozenset[Capability]:
    """What the platform's adapter can do (empty for a platform with no adapter yet)."""
    if platform == "bluesky":
        from civicsocial.platforms.adapters.bluesky import BlueskyAdapter

        return BlueskyAdapter.capabilities
    if platform == "mastodon":
        from civicsocial.platforms.adapters.mastodon import MastodonAdapter

        return MastodonAdapter.capabilities
    return frozenset()
