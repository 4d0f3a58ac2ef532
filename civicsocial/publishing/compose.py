"""Writing a draft (issue 19): what it says, where it goes, when; its content hash; the
per-platform checks. Approval is in `approvals.py`, sending in `sending.py`."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.publishing.limits import Counter, MediaFacts, check_post, rules_for
from civicsocial.publishing.models import Draft, DraftKind, DraftMedia, DraftStatus, Target, TargetState
from civicsocial.publishing.sendtime import check_send_at, to_utc
from civicsocial.records.media import store_media
from civicsocial.registry.gates import account_problems, authorization_problem
from civicsocial.registry.models import Account, Person
from civicsocial.registry.permissions import Action, require
from civicsocial.security import audit

MAX_UPLOAD = 20_000_000
PIL_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EDITABLE = (DraftStatus.WRITING, DraftStatus.IN_REVIEW, DraftStatus.APPROVED, DraftStatus.REJECTED)
AUDITED = ["text", "link", "kind", "reply_to", "share_of", "send_at", "status", "revision", "content_hash"]


@dataclass
class MediaInput:
    """An image for a draft: new bytes (`data`), or one already stored (`sha256`)."""

    alt_text: str
    data: bytes | None = None
    sha256: str = ""
    content_type: str = ""
    size: int = 0
    filename: str = ""


@dataclass
class DraftInput:
    text: str
    accounts: list[Account]
    link: str = ""
    kind: str = DraftKind.ORIGINAL
    reply_to: str = ""
    share_of: str = ""
    send_at: datetime | None = None  # aware, or the city's wall-clock time
    media: list[MediaInput] = field(default_factory=list)


def image_type(data: bytes, filename: str) -> str:
    """The image's real type, read from its bytes (never the browser's word for it)."""
    if len(data) > MAX_UPLOAD:
        raise ValidationError({"media": f"{filename or 'The image'} is over {MAX_UPLOAD // 1_000_000} MB."})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = PIL_TYPES.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind is None:
        raise ValidationError({"media": f"{filename or 'The file'} is not a JPEG, PNG, GIF or WebP image."})
    return kind


def _stored(item: MediaInput) -> MediaInput:
    if item.data is None:
        return item
    kind = image_type(item.data, item.filename)
    digest = store_media(item.data, kind)
    return MediaInput(item.alt_text, None, digest, kind, len(item.data), item.filename[:200])


def facts(media: list[MediaInput] | list[DraftMedia]) -> list[MediaFacts]:
    return [MediaFacts(m.content_type, m.size, m.alt_text, m.filename) for m in media]


def hash_content(text: str, link: str, kind: str, reply_to: str, share_of: str, account_ids: list[int],
                 send_at: datetime | None, media: list[tuple[str, str]]) -> str:
    """SHA-256 of exactly what an approver approves: the words, the link, the accounts, the
    time and each image (by its hash) with its alt text."""
    content = {"text": text, "link": link, "kind": kind, "reply_to": reply_to, "share_of": share_of,
               "accounts": sorted(account_ids), "send_at": send_at.astimezone(UTC).isoformat()
               if send_at else None, "media": [list(m) for m in media]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def hash_of(draft: Draft) -> str:
    """The content hash of the draft as stored."""
    return hash_content(draft.text, draft.link, draft.kind, draft.reply_to, draft.share_of,
                        [t.account_id for t in draft.targets.all()], draft.send_at,
                        [(m.sha256, m.alt_text) for m in draft.media.all()])


def counters(accounts: list[Account], text: str, link: str, media: list[MediaFacts]) -> list[Counter]:
    """One counter per platform among the accounts (the preview's); on Mastodon, against
    the strictest instance's own limit."""
    found = []
    for platform in sorted({a.platform for a in accounts}):
        limits = [instance_limit(a) for a in accounts if a.platform == platform]
        known = [limit for limit in limits if limit]
        found.append(check_post(platform, text, link, media, min(known) if known else None))
    return found


INSTANCE_LIMIT_SECONDS = 86400


def instance_limit(account: Account) -> int | None:
    """A Mastodon instance's limit on a status, asked of the instance once a day (None: not
    Mastodon, or the instance did not say: the platform's default holds)."""
    if account.platform != "mastodon":
        return None
    key = f"mastodon-max-characters:{account.url.split('/@')[0]}"
    limit = cache.get(key)
    if limit is None:
        try:
            adapter = adapter_for(account)
            limit = getattr(adapter, "max_characters", lambda: None)() or 0
        except PlatformError:
            return None  # unreachable now: the default, and ask again next time
        cache.set(key, limit, INSTANCE_LIMIT_SECONDS)
    return int(limit) or None


def content_problems(draft: Draft, accounts: list[Account] | None = None, at_send: bool = False) -> list[str]:
    """What the platforms would refuse, and a send time no longer possible (not checked
    at send: by then the time has come)."""
    accounts = accounts or [t.account for t in draft.targets.select_related("account")]
    problems = [p for c in counters(accounts, draft.text, draft.link, facts(list(draft.media.all())))
                for p in c.problems]
    if draft.kind == DraftKind.SHARE and not draft.share_of:
        problems.append("A share needs the post it shares.")
    for account in [] if at_send else accounts:
        try:
            check_send_at(draft.send_at, rules_for(account.platform).horizon, account.get_platform_display())
        except ValidationError as error:
            problems.extend(error.messages)
    return sorted(set(problems))


def _check_input(author: Person, data: DraftInput, agency_id: int) -> datetime | None:
    if not data.accounts:
        raise ValidationError({"accounts": "Choose at least one account."})
    require(author, Action.DRAFT_POSTS, agency_id)
    if not data.text.strip() and not data.media:
        raise ValidationError({"text": "Write the post, or add an image."})
    for account in data.accounts:
        if account.agency_id != agency_id:
            raise ValidationError({"accounts": f"{account} is not an account of this agency."})
        problem = authorization_problem(author, account)
        if problem:
            raise ValidationError({"accounts": f"{problem}: only authorized, trained staff draft for it."})
    if data.kind == DraftKind.SHARE and not data.share_of.strip():
        raise ValidationError({"share_of": "Name the post to share (its link or id)."})
    send_at = to_utc(data.send_at) if data.send_at is not None else None
    for account in data.accounts:
        check_send_at(send_at, rules_for(account.platform).horizon, account.get_platform_display())
    for item in data.media:
        if not item.alt_text.strip():
            raise ValidationError({"media": f"{item.filename or 'Each image'} needs alt text: a description "
                                            "for people who cannot see it."})
    return send_at


def _write(draft: Draft, data: DraftInput, send_at: datetime | None) -> None:
    media = [_stored(m) for m in data.media]
    draft.text, draft.link, draft.kind = data.text, data.link.strip(), data.kind
    draft.reply_to, draft.share_of, draft.send_at = data.reply_to.strip(), data.share_of.strip(), send_at
    draft.content_hash = hash_content(draft.text, draft.link, draft.kind, draft.reply_to, draft.share_of,
                                      [a.pk for a in data.accounts], send_at,
                                      [(m.sha256, m.alt_text) for m in media])
    draft.updated_at = timezone.now()
    draft.save()
    draft.media.all().delete()
    DraftMedia.objects.bulk_create([
        DraftMedia(draft=draft, position=n, sha256=m.sha256, content_type=m.content_type, size=m.size,
                   filename=m.filename, alt_text=m.alt_text.strip()) for n, m in enumerate(media, 1)])
    wanted = {a.pk for a in data.accounts}
    draft.targets.exclude(account_id__in=wanted).delete()
    have = set(draft.targets.values_list("account_id", flat=True))
    Target.objects.bulk_create([Target(draft=draft, account_id=pk) for pk in sorted(wanted - have)])


@transaction.atomic
def create_draft(author: Person, data: DraftInput) -> Draft:
    """A new draft of the agency of its accounts, by an author authorized for each (P4)."""
    agency_id = data.accounts[0].agency_id if data.accounts else 0
    send_at = _check_input(author, data, agency_id)
    draft = Draft(agency_id=agency_id, author=author)
    _write(draft, data, send_at)
    audit.record(author, "draft.created", draft, changes=audit.diff({}, audit.snapshot(draft, AUDITED)))
    return draft


@transaction.atomic
def edit_draft(actor: Person, draft: Draft, data: DraftInput) -> Draft:
    """Change a draft not yet sent. Any change after an approval makes a new revision that
    starts again at the first step (P5): no approval carries over to words it did not see."""
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    if draft.targets.filter(state=TargetState.SCHEDULED).exists():
        raise ValidationError("This draft is scheduled at the vendor: unschedule it before changing it.")
    if draft.status not in EDITABLE or draft.targets.exclude(
            state__in=[TargetState.WAITING, TargetState.QUEUED, TargetState.UNSCHEDULED]).exists():
        raise ValidationError("This draft is being sent, was sent or was withdrawn: it cannot change. "
                              "Write a new one.")
    send_at = _check_input(actor, data, draft.agency_id)
    before = audit.snapshot(draft, AUDITED)
    old_hash = draft.content_hash
    _write(draft, data, send_at)
    decided = draft.approvals.filter(revision=draft.revision).exists()
    if draft.content_hash != old_hash and (decided or draft.status == DraftStatus.APPROVED):
        draft.revision += 1
        draft.status = DraftStatus.IN_REVIEW if draft.status != DraftStatus.REJECTED else DraftStatus.WRITING
        draft.approved_at = None
        draft.save(update_fields=["revision", "status", "approved_at"])
        draft.targets.update(state=TargetState.WAITING, route="", due_at=None)
    audit.record(actor, "draft.edited", draft, changes=audit.diff(before, audit.snapshot(draft, AUDITED)))
    return draft


def gate_problems(draft: Draft, account: Account | None = None, at_send: bool = False) -> list[str]:
    """What stops this draft (or its post on one account) going out now: the accounts (P2,
    P14, P20), the author (P4), the content, the time."""
    targets = draft.targets.select_related("account__agency", "account__application")
    accounts = [t.account for t in (targets.filter(account=account) if account else targets)]
    problems = []
    for each in accounts:
        problems.extend(account_problems(each))
        author = authorization_problem(draft.author, each)
        if author:
            problems.append(f"Author: {author}")
    return problems + content_problems(draft, accounts, at_send)
