"""The branding audit (P8, P9), run on every new profile snapshot the archive keeps.

An official account's profile must show the city's logo in its picture, link to the
user policy, say in the bio that the account is official, show in its name that it is
city property, and carry the platform's verification mark where there is one. A
non-branded campaign account approved under P9 (counsel and ODS) is exempt.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings

from civicsocial.policy.logo import LOGO_THRESHOLD, logo_score
from civicsocial.policy.models import BrandingAudit
from civicsocial.records.media import media_path
from civicsocial.records.models import Change, ItemKind, ItemVersion
from civicsocial.registry.models import Account, AccountType, ApplicationStatus

CITY_NAMES = re.compile(r"\bNYC\b|New York City|City of New York", re.IGNORECASE)
OFFICIAL = re.compile(r"\bofficial\b", re.IGNORECASE)


def _bare(url: str) -> str:
    """A URL without scheme, www. or trailing slash, lower-cased, for comparing."""
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower()).rstrip("/")


def is_exempt(account: Account) -> bool:
    """P9: a non-branded campaign account with counsel's and ODS's sign-off."""
    application = getattr(account, "application", None)
    return (account.account_type == AccountType.CAMPAIGN and application is not None
            and application.status == ApplicationStatus.APPROVED
            and application.counsel_signoff_at is not None)


def judge(profile: dict[str, Any], avatar: bytes | None) -> tuple[list[str], int]:
    """What the profile fails of P8 (in words), and the logo score of its picture."""
    failures = []
    score = logo_score(avatar) if avatar else 0
    if not avatar:
        failures.append("no profile picture")
    elif score < LOGO_THRESHOLD:
        failures.append(f"the picture does not show the city logo (score {score}, "
                        f"needs {LOGO_THRESHOLD})")
    bio, name = str(profile.get("bio", "")), str(profile.get("name", ""))
    policy = _bare(settings.USER_POLICY_URL)
    places = [bio, *map(str, profile.get("links", []))]
    if not any(policy in place.lower() for place in places):
        failures.append(f"no link to the user policy ({settings.USER_POLICY_URL})")
    if not OFFICIAL.search(bio):
        failures.append("the bio does not say the account is official")
    if not CITY_NAMES.search(name):
        failures.append(f"the name {name!r} does not show it is city property")
    if not profile.get("verified"):
        failures.append("no verification mark")
    return failures, score


def _avatar(version: ItemVersion) -> bytes | None:
    for media in version.content.media or []:
        digest = media.get("sha256")
        if digest and media_path(digest).exists():
            return media_path(digest).read_bytes()
    return None


def audit_snapshot(account: Account, version: ItemVersion) -> BrandingAudit:
    """Judge one archived profile version (once: an audit is kept per snapshot)."""
    existing = BrandingAudit.objects.filter(snapshot=version).first()
    if existing is not None:
        return existing
    raw = json.loads(version.content.raw or "null") or {}
    profile = raw.get("profile") if isinstance(raw, dict) else None
    failures, score = judge(profile or {}, _avatar(version))
    exempt = is_exempt(account)
    return BrandingAudit.objects.create(account=account, snapshot=version, exempt=exempt,
                                        passed=exempt or not failures, logo_score=score,
                                        failures=failures)


def audit_new_profiles(account: Account) -> list[BrandingAudit]:
    """Audit every profile snapshot of the account not audited yet (removals and
    disposed content have nothing to judge)."""
    versions = ItemVersion.objects.filter(
        stream__account=account, item__kind=ItemKind.PROFILE, content__isnull=False,
        branding_audit__isnull=True).exclude(change=Change.DELETED) \
        .select_related("content").order_by("chain_seq")
    return [audit_snapshot(account, version) for version in versions]
