"""Detection from what capture already sees (P14, issue 18): a change of an account's
profile (name, bio, picture, links) that its agency did not announce in the registry
(`Account.profile_change_expected_until`) opens a suspected incident for ODS to confirm.
Told of every archived batch (records.announce), as the branding audit is."""

from __future__ import annotations

from django.utils import timezone

from civicsocial.incidents import services
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.models import Change, ItemKind, ItemVersion

SUSPICIOUS = (Change.EDITED, Change.DELETED)


def _said(version: ItemVersion | None) -> str:
    content = getattr(version, "content", None) if version is not None else None
    return " / ".join(content.text.splitlines()) if content is not None else "(nothing)"


def _picture(version: ItemVersion | None) -> str:
    content = getattr(version, "content", None) if version is not None else None
    return str(content.media) if content is not None else ""


def describe(version: ItemVersion) -> str:
    """What changed, in words, for the incident's summary."""
    before = ItemVersion.objects.filter(item_id=version.item_id, version_no=version.version_no - 1) \
        .select_related("content").first()
    when = f"captured {timezone.localtime(version.captured_at):%Y-%m-%d %H:%M}"
    if version.change == Change.DELETED:
        return f"The profile disappeared from the platform ({when})."
    parts = [f"Profile changed without notice in the registry ({when})."]
    if _said(before) != _said(version):
        parts.append(f"Before: {_said(before)[:500]}\nNow: {_said(version)[:500]}")
    if _picture(before) != _picture(version):
        parts.append("The profile picture changed.")
    return "\n".join(parts)


def detect_profile_changes(result: ArchiveResult) -> None:
    """Open a suspected incident for each unannounced profile change in the batch."""
    versions = ItemVersion.objects.filter(
        item_id__in=result.changed_items, item__kind=ItemKind.PROFILE, change__in=SUSPICIOUS,
        item__stream__account__isnull=False).select_related("item__stream__account", "content")
    for version in versions:
        account = version.item.stream.account
        if account is None:
            continue
        expected = account.profile_change_expected_until
        if expected is not None and version.captured_at <= expected:
            continue
        services.detect(account, describe(version))
