"""Accounts that look like the city's but are not in the registry (P1): authors seen
in captured items, and archive streams with no registered account, whose handle claims
the city (NYC, New York City, an nyc.gov domain). ODS decides: register, or report the
impostor to the platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from civicsocial.records.models import ArchiveStream, VersionContent
from civicsocial.registry.models import Account

CLAIM = r"nyc|new.?york.?city|city.?of.?new.?york"
CLAIM_RE = re.compile(CLAIM, re.IGNORECASE)


@dataclass(frozen=True)
class UnregisteredAccount:
    platform: str
    handle: str
    items: int
    first_seen: datetime | None
    seen_as: str  # "author" of captured items, or an archived "stream"


def _key(platform: str, handle: str) -> tuple[str, str]:
    return platform.lower(), handle.strip().lstrip("@").lower()


def unregistered_accounts() -> list[UnregisteredAccount]:
    """Every handle in the archive that claims the city and is not registered."""
    registered = {_key(p, h) for p, h in Account.objects.values_list("platform", "handle")}
    found: dict[tuple[str, str], UnregisteredAccount] = {}
    authors = VersionContent.objects.filter(author__iregex=CLAIM) \
        .values("version__stream__platform", "author") \
        .annotate(items=Count("version__item", distinct=True), first=Min("version__captured_at"))
    for row in authors:
        key = _key(row["version__stream__platform"], row["author"])
        if key not in registered and key[1]:
            found[key] = UnregisteredAccount(key[0], row["author"], row["items"], row["first"],
                                             "author")
    streams = ArchiveStream.objects.filter(account__isnull=True) \
        .annotate(n=Count("items"), first=Min("items__first_captured_at"))
    for stream in streams:
        key = _key(stream.platform, stream.handle)
        if CLAIM_RE.search(stream.handle) and key not in registered and key not in found:
            found[key] = UnregisteredAccount(key[0], stream.handle, stream.n, stream.first, "stream")
    return sorted(found.values(), key=lambda a: (a.platform, a.handle.lower()))
