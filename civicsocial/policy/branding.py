"""The branding audit (P8, P9), run on every new profile snapshot the archive keeps.

An official account's profile must show the city's logo in its picture, link to the
user policy, say in the bio that the account is official, show in its name that it is
city property, and carry the platform's verification mark where there is one. A
non-branded campaign account approved under P9 (counsel and ODS) is exempt.

The logo match answers match, no match or unsure (`logo.py`). An unsure picture goes to
ODS once: the decision is kept with the image's SHA-256 and used for every profile that
shows the same image, now and later; until then the audit is awaiting ODS, neither
passed nor failed on the logo.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from civicsocial.duties.leases import lease
from civicsocial.policy.logo_outcome import LogoOutcome
from civicsocial.policy.models import BrandingAudit, LogoDecision
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.hashing import sha256_hex
from civicsocial.records.media import media_path
from civicsocial.records.models import ArchivedItem, Change, ItemKind, ItemVersion
from civicsocial.registry.models import Account, AccountType, ApplicationStatus, Person
from civicsocial.registry.permissions import is_ods_admin
from civicsocial.security import audit as audit_log

log = logging.getLogger(__name__)
# One worker audits an account at a time; a worker killed mid-audit holds it this long.
AUDIT_LEASE = timedelta(minutes=5)
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


@dataclass(frozen=True)
class Judgement:
    failures: list[str]  # what the profile fails of P8, in words
    logo: LogoOutcome
    score: float  # the logo match's score, 0 to 1
    avatar_sha256: str  # "" without a picture

    @property
    def passed(self) -> bool:
        return not self.failures and self.logo == LogoOutcome.MATCH


def judge_logo(avatar: bytes) -> tuple[LogoOutcome, float, str, str]:
    """(outcome, score, the image's SHA-256, the failure in words or ""): ODS's decision
    on the same image first, the matcher otherwise."""
    digest = sha256_hex(avatar)
    decision = LogoDecision.objects.filter(avatar_sha256=digest).first()
    if decision is not None:
        outcome = LogoOutcome.MATCH if decision.shows_logo else LogoOutcome.NO_MATCH
        failure = "" if decision.shows_logo else "ODS decided the picture does not show the city logo"
        return outcome, decision.score, digest, failure
    from civicsocial.policy.logo import MATCH_AT, logo_verdict  # OpenCV: loaded when a picture is judged

    verdict = logo_verdict(avatar)
    failure = (f"the picture does not show the city logo (score {verdict.score:.2f}, "
               f"a match needs {MATCH_AT:.2f})" if verdict.outcome == LogoOutcome.NO_MATCH else "")
    return verdict.outcome, verdict.score, digest, failure


def judge(profile: dict[str, Any], avatar: bytes | None) -> Judgement:
    """What the profile fails of P8, and what the logo match said of its picture."""
    failures = []
    outcome, score, digest = LogoOutcome.NO_MATCH, 0.0, ""
    if not avatar:
        failures.append("no profile picture")
    else:
        outcome, score, digest, failure = judge_logo(avatar)
        if failure:
            failures.append(failure)
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
    return Judgement(failures, outcome, score, digest)


def _avatar(version: ItemVersion) -> bytes | None:
    for media in version.content.media or []:
        digest = media.get("sha256")
        if digest and media_path(digest).exists():
            return media_path(digest).read_bytes()
    return None


def _profile(version: ItemVersion) -> dict[str, Any]:
    raw = json.loads(version.content.raw or "null") or {}
    profile = raw.get("profile") if isinstance(raw, dict) else None
    return profile if isinstance(profile, dict) else {}


def _fields(account: Account, judgement: Judgement) -> dict[str, Any]:
    exempt = is_exempt(account)
    return {"exempt": exempt, "passed": exempt or judgement.passed, "logo_score": judgement.score,
            "logo_outcome": judgement.logo, "avatar_sha256": judgement.avatar_sha256,
            "failures": judgement.failures}


def audit_snapshot(account: Account, version: ItemVersion) -> BrandingAudit:
    """Judge one archived profile version (once: an audit is kept per snapshot; two
    workers auditing the same snapshot leave one)."""
    existing = BrandingAudit.objects.filter(snapshot=version).first()
    if existing is not None:
        return existing
    judgement = judge(_profile(version), _avatar(version))
    audit, _ = BrandingAudit.objects.get_or_create(snapshot=version, defaults={
        "account": account, **_fields(account, judgement)})
    return audit


def decide_logo(actor: Person, avatar_sha256: str, shows_logo: bool) -> int:
    """ODS decides whether a picture shows the city's logo (P8). The decision is kept
    with the image's hash and every audit of a profile showing that image is judged
    again; returns how many were. ODS only; a second decision replaces the first."""
    if not is_ods_admin(actor):
        raise PermissionDenied("Only ODS decides whether a picture shows the city's logo.")
    audits = list(BrandingAudit.objects.filter(avatar_sha256=avatar_sha256)
                  .select_related("account", "snapshot__content"))
    if not audits:
        raise ValidationError("No audited profile shows that picture.")
    with transaction.atomic():
        decision, _ = LogoDecision.objects.update_or_create(
            avatar_sha256=avatar_sha256,
            defaults={"shows_logo": shows_logo, "decided_by": actor, "decided_at": timezone.now(),
                      "score": audits[0].logo_score})
        for audit in audits:
            judgement = judge(_profile(audit.snapshot), _avatar(audit.snapshot))
            for field, value in _fields(audit.account, judgement).items():
                setattr(audit, field, value)
            audit.save()
        audit_log.record(actor, "logo.decide", decision, agency_id=None,
                         changes={"shows_logo": [None, shows_logo]},
                         reason=f"{len(audits)} profile snapshot(s) show this picture")
    return len(audits)


def awaiting_logos() -> list[dict[str, Any]]:
    """The pictures the logo match was unsure of and ODS has not decided on, each once,
    with the accounts that have a profile snapshot showing it (the ODS queue)."""
    awaiting: dict[str, dict[str, Any]] = {}
    for audit in (BrandingAudit.objects.filter(logo_outcome=LogoOutcome.UNSURE)
                  .exclude(avatar_sha256="").select_related("account").order_by("audited_at")):
        entry = awaiting.setdefault(audit.avatar_sha256, {
            "sha256": audit.avatar_sha256, "score": audit.logo_score, "since": audit.audited_at,
            "accounts": []})
        if audit.account not in entry["accounts"]:
            entry["accounts"].append(audit.account)
    return list(awaiting.values())


def avatar_bytes(avatar_sha256: str) -> bytes | None:
    """The stored picture an audit judged (None for any other hash)."""
    if not BrandingAudit.objects.filter(avatar_sha256=avatar_sha256).exists():
        return None
    path = media_path(avatar_sha256)
    return path.read_bytes() if path.exists() else None


def audit_archived(result: ArchiveResult) -> None:
    """Receiver of every archived batch (subscribed in apps.py): audit the accounts whose
    profile it gave a new version."""
    accounts = ArchivedItem.objects.filter(pk__in=result.changed_items, kind=ItemKind.PROFILE) \
        .values_list("stream__account_id", flat=True).distinct()
    for account in Account.objects.filter(pk__in=list(accounts)):
        audit_new_profiles(account)


def audit_unaudited() -> int:
    """The sweep (the worker every five minutes, `civicsocial branding audit`): audit each
    profile snapshot no audit has judged yet, whatever stopped it at capture; returns how
    many were audited."""
    accounts = _unaudited().filter(stream__account__isnull=False) \
        .values_list("stream__account_id", flat=True).distinct()
    audited = 0
    for account in Account.objects.filter(pk__in=list(accounts)):
        try:
            audited += len(audit_new_profiles(account))
        except Exception:  # one account's picture must not stop the others' audit (issue 17)
            log.exception("branding audit of %s failed; the next sweep retries", account.handle)
    return audited


def _unaudited() -> QuerySet[ItemVersion]:
    """Profile snapshots no audit has judged (removals and disposed content have nothing
    to judge)."""
    return ItemVersion.objects.filter(item__kind=ItemKind.PROFILE, content__isnull=False,
                                      branding_audit__isnull=True).exclude(change=Change.DELETED)


def audit_new_profiles(account: Account) -> list[BrandingAudit]:
    """Audit every profile snapshot of the account not audited yet, and return those
    audits. With several workers (the sweep on each, the receiver after each capture),
    one audits an account at a time (its lease); the others leave it to that one."""
    with lease(f"branding:{account.pk}", AUDIT_LEASE) as held:
        if not held:
            return []
        versions = _unaudited().filter(stream__account=account).select_related("content") \
            .order_by("chain_seq")
        return [audit_snapshot(account, version) for version in versions]
