"""Closing the loop with the archive (issue 19). Every official post capture archives is
matched to the draft that produced it (the platform's post id our adapter or the vendor
returned). One that nothing in Civic Social produced, on an account that publishes
through it, is "posted outside Civic Social": P5 (content goes out only after review)
and P14 (it may be a stolen login). The agency admins and ODS are told, and a suspected
incident is opened for ODS to confirm.

A post is judged only after `GRACE`: the vendor posts at its time and we read its post id
a minute later, and capture may archive a post before the worker that sent it has
recorded its id. Several workers may sweep at once: the flag is one row per item.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from civicsocial.inbox.models import Referral
from civicsocial.inbox.notify import addresses, people_with_role, send
from civicsocial.incidents import services as incidents
from civicsocial.publishing.models import OutsidePost, Target, TargetState
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.models import ArchivedItem, ItemKind
from civicsocial.registry.models import Role

GRACE = timedelta(minutes=15)
LOOKBACK = timedelta(days=7)
OFFICIAL = (ItemKind.POST, ItemKind.REPLY)


def link(item: ArchivedItem) -> bool:
    """Link the item to the target that sent it; True if one did."""
    account_id = item.stream.account_id
    if account_id is None:
        return False
    return Target.objects.filter(account_id=account_id, platform_id=item.platform_id) \
        .update(archived_item=item) > 0


def link_archived(result: ArchiveResult) -> None:
    """Told of every archived batch: link the new official posts to their drafts."""
    items = ArchivedItem.objects.filter(pk__in=result.new_items, kind__in=OFFICIAL,
                                        stream__account__isnull=False).select_related("stream")
    for item in items:
        link(item)


def _made_by_us(item: ArchivedItem) -> bool:
    return link(item) or Referral.objects.filter(reply_id=item.platform_id).exists()


def _posted_at(item: ArchivedItem) -> datetime:
    first = item.version_set.select_related("content").order_by("version_no").first()
    content = getattr(first, "content", None) if first is not None else None
    return (content.created_at if content is not None else None) or item.first_captured_at


def _publishes_here_since(account_id: int) -> datetime | None:
    """When the account first published through Civic Social (None: it never has, so its
    posts are not ours to judge yet)."""
    return Target.objects.filter(account_id=account_id, state=TargetState.SENT) \
        .order_by("sent_at").values_list("sent_at", flat=True).first()


def flag_outside_posts(now: datetime | None = None) -> int:
    """Flag every official post captured between LOOKBACK and GRACE ago that nothing in
    Civic Social produced; returns how many were flagged now."""
    now = now or timezone.now()
    candidates = ArchivedItem.objects.filter(
        kind__in=OFFICIAL, stream__account__isnull=False, first_captured_at__lte=now - GRACE,
        first_captured_at__gte=now - LOOKBACK, drafts_sent__isnull=True, outside_post__isnull=True) \
        .select_related("stream__account__agency")
    flagged = 0
    for item in candidates:
        since = _publishes_here_since(item.stream.account_id or 0)
        if since is None or _posted_at(item) < since or _made_by_us(item):
            continue
        flagged += flag_item(item)
    return flagged


def flag_item(item: ArchivedItem) -> int:
    """Flag one official post as made outside Civic Social (1), unless another worker just
    did (0): the admins and ODS are told, a suspected incident opened."""
    account = item.stream.account
    assert account is not None
    try:
        with transaction.atomic():
            outside = OutsidePost.objects.create(item=item, account=account)
            what = (f"A post on {account} was published outside Civic Social (no approved draft produced "
                    f"it), captured {timezone.localtime(item.first_captured_at):%Y-%m-%d %H:%M}: "
                    f"{item.get_absolute_url()}")
            outside.incident = incidents.detect(account, what)
            outside.save(update_fields=["incident"])
            send(f"Posted outside Civic Social: {account}", f"{what}\n\nODS confirms or dismisses the "
                 "suspected incident. If your team posted it from the platform's own app, say so there.",
                 addresses(people_with_role(account.agency, Role.AGENCY_ADMIN)))
    except IntegrityError:
        return 0  # another worker flagged it a moment ago
    return 1
