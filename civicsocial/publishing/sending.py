"""Sending approved drafts (issue 19), exactly once, whichever worker does it.

A scheduled post goes through the city's vendor (P12: Hootsuite): the worker uploads its
images and schedules one message per account, and later reads the message's state until
it is sent, keeping the platform's post id. "Send now", and accounts the vendor does not
serve, go through our own adapters from the worker, with the target's idempotency key.

Every step starts by claiming the target (a row lock, skipping rows another worker holds,
then a lease). A worker killed mid-send leaves its lease to run out; the next one sends
again with the same idempotency key (the platform answers with the post already made) or,
at the vendor, which keeps no such key, first looks for the message in its time window.
The gates (P2, P4, P14, P20) and the platform checks run again at the moment of sending.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from civicsocial.platforms.adapters.base import MediaFile, PlatformError
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.platforms.hootsuite import HootsuiteClient
from civicsocial.publishing.compose import gate_problems
from civicsocial.publishing.limits import full_text
from civicsocial.publishing.models import Draft, DraftStatus, Route, Target, TargetState
from civicsocial.records.media import media_path
from civicsocial.registry.models import Person
from civicsocial.security import audit

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
RETRY_LATER = timedelta(minutes=2)
LIVE = (TargetState.QUEUED, TargetState.SENDING, TargetState.SCHEDULED)


def lease() -> timedelta:
    """How long a claim lasts: one older than this belonged to a worker that died."""
    return timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)


def release(draft: Draft) -> None:
    """The last step approved: queue each account's post, through the vendor when it is
    scheduled (P12), through our adapter when it is to go now."""
    now = timezone.now()
    route = Route.VENDOR if draft.send_at is not None else Route.DIRECT
    draft.status, draft.approved_at = DraftStatus.APPROVED, now
    draft.save(update_fields=["status", "approved_at"])
    draft.targets.update(state=TargetState.QUEUED, route=route, due_at=draft.send_at or now,
                         claimed_until=None, attempts=0, last_error="")
    transaction.on_commit(_kick)


def _kick() -> None:
    """Ask a worker to dispatch now (a lost task only waits for the minute's sweep)."""
    try:
        from civicsocial.publishing.tasks import dispatch_now

        dispatch_now()
    except Exception:
        log.exception("could not queue the dispatch; the minute's sweep sends it")


def _claim(pk: int, now: datetime) -> Target | None:
    """Hold the target for this worker (None: another holds it, or it is settled)."""
    with transaction.atomic():
        target = Target.objects.select_for_update(skip_locked=True, of=("self",)) \
            .select_related("draft__author", "draft__agency", "account__agency") \
            .filter(pk=pk, state__in=LIVE).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)) \
            .first()
        if target is None:
            return None
        target.claimed_until = now + lease()
        target.attempts += 1
        target.save(update_fields=["claimed_until", "attempts"])
        return target


def _settle(target: Target, **changes: object) -> None:
    """Record what happened to the target (lease released) and the draft's overall state."""
    changes.setdefault("claimed_until", None)
    with transaction.atomic():
        Target.objects.filter(pk=target.pk).update(**changes)
        for name, value in changes.items():
            setattr(target, name, value)
        states = set(Target.objects.filter(draft_id=target.draft_id).values_list("state", flat=True))
        draft_state = DraftStatus.SENT if states == {TargetState.SENT} else \
            DraftStatus.FAILED if TargetState.FAILED in states and not states & set(LIVE) else None
        if draft_state:
            Draft.objects.filter(pk=target.draft_id).exclude(status=DraftStatus.WITHDRAWN) \
                .update(status=draft_state)


def _fail(target: Target, error: str, retry: bool) -> None:
    if retry and target.attempts < MAX_ATTEMPTS:
        _settle(target, last_error=error[:2000], due_at=timezone.now() + RETRY_LATER * target.attempts,
                state=TargetState.QUEUED if target.state == TargetState.SENDING else target.state)
        return
    _settle(target, state=TargetState.FAILED, last_error=error[:2000])
    audit.record(None, "draft.send_failed", target.draft, reason=error[:500],
                 changes={"account": [None, target.account_id]})


def _media(draft: Draft) -> list[MediaFile]:
    return [MediaFile(media_path(m.sha256).read_bytes(), m.content_type, m.alt_text)
            for m in draft.media.all()]


def _blocked(target: Target) -> str:
    return "; ".join(gate_problems(target.draft, target.account, at_send=True))


def send_direct(target: Target) -> None:
    """Post through our adapter, exactly once (the idempotency key)."""
    blocked = _blocked(target)
    if blocked:
        _fail(target, f"Not sent: {blocked}", retry=False)
        return
    Target.objects.filter(pk=target.pk).update(state=TargetState.SENDING)
    target.state = TargetState.SENDING
    draft = target.draft
    try:
        published = adapter_for(target.account).publish(
            full_text(draft.text, draft.link), target.idempotency_key, reply_to=draft.reply_to,
            media=_media(draft))
    except PlatformError as error:
        _fail(target, str(error), retry=error.retry_after is not None)
        return
    _settle(target, state=TargetState.SENT, platform_id=published.item_id, url=published.url,
            sent_at=timezone.now(), last_error="")
    audit.record(None, "draft.sent", draft, changes={"account": [None, target.account_id],
                                                     "platform_id": [None, published.item_id]})


def schedule_at_vendor(target: Target, client: HootsuiteClient) -> None:
    """Hand the post to the vendor (P12); an account the vendor does not serve is sent by
    our adapter at its time instead."""
    blocked = _blocked(target)
    if blocked:
        _fail(target, f"Not scheduled: {blocked}", retry=False)
        return
    draft = target.draft
    try:
        profile = client.profile_id_for(target.account.platform, target.account.handle)
        if not profile:
            _settle(target, route=Route.DIRECT, last_error="The vendor does not serve this account: "
                    "our adapter sends it at its time.")
            return
        text = full_text(draft.text, draft.link)
        assert draft.send_at is not None
        found = client.find(profile, draft.send_at, text) if target.attempts > 1 else None
        if found is None:
            media = [client.upload_media(m.data, m.content_type) for m in _media(draft)]
            found = client.schedule(text, profile, draft.send_at, media)
    except PlatformError as error:
        _fail(target, str(error), retry=error.retry_after is not None)
        return
    _settle(target, state=TargetState.SCHEDULED, vendor_message_id=found.id, last_error="")
    audit.record(None, "draft.scheduled", draft, changes={"account": [None, target.account_id],
                                                          "vendor_message_id": [None, found.id]})


def check_at_vendor(target: Target, client: HootsuiteClient) -> None:
    """Read a scheduled message's state: sent (with the platform's post id) or failed."""
    try:
        message = client.message(target.vendor_message_id)
    except PlatformError as error:
        _settle(target, last_error=str(error)[:2000])
        return
    if message.state == "SENT":
        _settle(target, state=TargetState.SENT, platform_id=message.post_id, url=message.post_url,
                sent_at=timezone.now(), last_error="")
        audit.record(None, "draft.sent", target.draft, changes={
            "account": [None, target.account_id], "platform_id": [None, message.post_id]})
    elif message.state in ("SEND_FAILED_PERMANENTLY", "REJECTED"):
        _fail(target, f"Hootsuite: {message.state}", retry=False)
    else:
        _settle(target)


def unschedule(target: Target, client: HootsuiteClient | None, actor: Person | None, reason: str) -> None:
    """Take one post off the schedule: delete the vendor's message, or stop our own send."""
    if target.state == TargetState.SCHEDULED and target.vendor_message_id:
        if client is None:
            raise PlatformError("The vendor is not configured: the message cannot be unscheduled there.")
        client.delete(target.vendor_message_id)
    _settle(target, state=TargetState.UNSCHEDULED)
    audit.record(actor, "draft.unscheduled", target.draft, reason=reason[:500],
                 changes={"account": [None, target.account_id]})


def unschedule_all(draft: Draft, actor: Person | None, reason: str) -> None:
    """Unschedule every post of the draft not yet sent."""
    client = HootsuiteClient.configured()
    for target in draft.targets.filter(state__in=(TargetState.QUEUED, TargetState.SCHEDULED)):
        unschedule(target, client, actor, reason)


def unschedule_frozen(account_id: int | None = None) -> int:
    """P14: every post waiting on a frozen account comes off the schedule, at the vendor too.
    Returns how many."""
    client = HootsuiteClient.configured()
    waiting = Target.objects.filter(state__in=(TargetState.QUEUED, TargetState.SCHEDULED),
                                    account__frozen_at__isnull=False)
    if account_id is not None:
        waiting = waiting.filter(account_id=account_id)
    done = 0
    for pk in list(waiting.values_list("pk", flat=True)):
        target = _claim(pk, timezone.now())
        if target is None:
            continue
        try:
            unschedule(target, client, None, "The account is frozen by a security incident (P14).")
            done += 1
        except PlatformError as error:
            _settle(target, last_error=f"Could not unschedule: {error}"[:2000])
    return done


def dispatch(now: datetime | None = None, limit: int = 5000) -> dict[str, int]:
    """One pass of the sending duty: unschedule frozen accounts' posts, hand scheduled ones
    to the vendor, send what is due, read the vendor's sent messages. Several workers may
    run it at once: each target is done by whichever claims it. Returns counts."""
    now = now or timezone.now()
    counts = {"unscheduled": unschedule_frozen()}
    client = HootsuiteClient.configured()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    to_vendor = Target.objects.filter(free, state=TargetState.QUEUED, route=Route.VENDOR)
    due = Target.objects.filter(free, Q(state=TargetState.QUEUED, route=Route.DIRECT, due_at__lte=now)
                                | Q(state=TargetState.SENDING))
    at_vendor = Target.objects.filter(free, state=TargetState.SCHEDULED, due_at__lte=now)
    for name, queryset in (("scheduled", to_vendor), ("sent", due), ("checked", at_vendor)):
        counts[name] = 0
        for pk in list(queryset.order_by("due_at", "pk").values_list("pk", flat=True)[:limit]):
            target = _claim(pk, now)
            if target is None:
                continue
            _step(name, target, client)
            counts[name] += 1
    return counts


def _step(name: str, target: Target, client: HootsuiteClient | None) -> None:
    if name == "sent":
        send_direct(target)
    elif client is None:
        # No vendor configured (development, tests without it): our adapter sends it at its time.
        _settle(target, route=Route.DIRECT, last_error="No vendor is configured: sent by our adapter.")
    elif name == "scheduled":
        schedule_at_vendor(target, client)
    else:
        check_at_vendor(target, client)
