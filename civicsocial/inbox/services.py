"""Inbox rules as plain functions. `triage_new_items` puts every incoming item captured
since the last call into its account's inbox with its labels and the place it names, then
routes it (routing.py: legal notice, FOIL). Run after each capture and by the worker every
minute."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from civicsocial.inbox import routing
from civicsocial.inbox.location import find_location
from civicsocial.inbox.models import InboxEntry, InboxLabel, InboxState
from civicsocial.inbox.triage import Comment, triage_many
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.models import ArchivedItem, ItemKind, ItemVersion
from civicsocial.registry.models import Person
from civicsocial.security import audit

log = logging.getLogger(__name__)
INCOMING = [ItemKind.COMMENT, ItemKind.MESSAGE]
BATCH = 2000
LOCATED = {"service_request", "dangerous_condition"}  # labels whose place matters (P23, P24)


def _latest(item_ids: list[int]) -> dict[int, dict[str, str]]:
    """item pk -> text, parent (item_id) and author of its newest version."""
    newest = ItemVersion.objects.filter(item=OuterRef("item")).order_by("-version_no")
    versions = ItemVersion.objects.filter(item__in=item_ids, pk=Subquery(newest.values("pk")[:1]))
    return {v["item_id"]: {"text": v["content__text"] or "", "parent": v["content__parent_id"],
                           "author": v["content__author"]}
            for v in versions.values("item_id", "content__text", "content__parent_id",
                                     "content__author")}


def _post_texts(parent_ids: set[str]) -> dict[str, str]:
    """platform id -> newest text, for the posts and replies being answered."""
    items = ArchivedItem.objects.filter(platform_id__in=parent_ids).values_list("pk", "platform_id")
    by_pk = dict(items)
    return {by_pk[pk]: v["text"] for pk, v in _latest(list(by_pk)).items()}


def triage_new_items(batch: int = BATCH, among: list[int] | None = None) -> int:
    """Triage every incoming item not yet in an inbox (or only those of `among`, the item
    pks a capture just archived: what keeps a streamed event's cost independent of the
    archive's size); returns how many this call added.

    Several workers may run it at once (issue 17): each claims a batch by locking its
    rows, skipping rows another worker holds, and adds and routes them in the same
    transaction, so every item is triaged, held and told of once."""
    if among is not None and not among:
        return 0
    waiting = ArchivedItem.objects.filter(kind__in=INCOMING, stream__account__isnull=False,
                                          inbox__isnull=True)
    if among is not None:
        waiting = waiting.filter(pk__in=among)
    added = 0
    while True:
        with transaction.atomic():
            items = list(waiting.select_for_update(skip_locked=True, of=("self",))
                         .select_related("stream__account__agency").order_by("pk")[:batch])
            added += _triage(items)
        if len(items) < batch:
            return added


def _triage(items: list[ArchivedItem]) -> int:
    """Add `items` (claimed by the caller) to their inboxes with their labels, and route
    the labelled ones."""
    if not items:
        return 0
    latest = _latest([i.pk for i in items])
    blank = {"text": "", "parent": "", "author": ""}
    posts = _post_texts({v["parent"] for v in latest.values() if v["parent"]})
    comments = []
    for item in items:
        found = latest.get(item.pk, blank)
        account = item.stream.account
        assert account is not None
        comments.append(Comment(found["text"],
                                account.topic_statement if account.topic_limited else None,
                                posts.get(found["parent"], ""),
                                account.agency.acronym or account.handle, found["author"]))
    rows = [InboxEntry(item=item, account=item.stream.account, labels=found.labels,
                       reasons=found.reasons, captured_at=item.first_captured_at,
                       location=find_location(comment.text)[:300]
                       if LOCATED & set(found.labels) else "")
            for item, comment, found in zip(items, comments, triage_many(comments), strict=True)]
    InboxEntry.objects.bulk_create(rows)
    _follow_labels([row.item_id for row in rows if row.labels], latest)
    return len(rows)


def triage_archived(result: ArchiveResult) -> None:
    """Receiver of every archived batch (subscribed in apps.py): its new items into the
    inbox at once."""
    triage_captured(result.new_items)


def triage_captured(item_pks: list[int]) -> None:
    """Triage what a capture just archived, right after it (capture runs and streams call
    this outside their transaction). A failure is logged, never raised: capture goes on and
    the worker's sweep every minute triages what was missed."""
    try:
        triage_new_items(among=item_pks)
    except Exception:
        log.exception("triage of %d new item(s) failed; the next sweep retries", len(item_pks))


def _follow_labels(item_pks: list[int], latest: dict[int, dict[str, str]]) -> None:
    """For the labelled items just added (bulk_create gave no keys: read once): one
    InboxLabel row per label (a second call adds nothing), then routing of those that
    need it at once."""
    if not item_pks:
        return
    entries = list(InboxEntry.objects.filter(item__in=item_pks)
                   .select_related("item", "account__agency"))
    InboxLabel.objects.bulk_create(
        [InboxLabel(entry_id=e.pk, label=label, account_id=e.account_id, captured_at=e.captured_at)
         for e in entries for label in e.labels], ignore_conflicts=True, batch_size=1000)
    routing.route([e for e in entries if set(e.labels) & routing.ROUTED],
                  {pk: (v["author"], v["text"]) for pk, v in latest.items()})


def text_of(entry: InboxEntry) -> str:
    """The newest text of an inbox entry ("" once disposed of)."""
    return _latest([entry.item_id]).get(entry.item_id, {}).get("text", "")


# States a moderator sets by hand; referred, held and hidden follow from their actions.
MANUAL_STATES = [InboxState.NEW, InboxState.REVIEWED, InboxState.ANSWERED]


def set_state(actor: Person, entry: InboxEntry, state: str) -> InboxEntry:
    """Mark an item reviewed or answered (or new again)."""
    if state not in MANUAL_STATES:
        raise ValidationError("That state follows from its own action (refer, hold, hide).")
    if entry.state == InboxState.HIDDEN:
        raise ValidationError("This comment was hidden by counsel's decision; it stays hidden.")
    if entry.state == InboxState.HELD:  # else it would drop out of the held filter (issue 12)
        raise ValidationError("This item is on legal hold as possible legal notice (P24); "
                              "it stays held.")
    before = entry.state
    entry.state = state
    entry.reviewed_at = entry.reviewed_at or timezone.now()
    entry.save(update_fields=["state", "reviewed_at"])
    audit.record(actor, "inbox.state", entry.item, agency_id=entry.account.agency_id,
                 changes={"state": [before, state]})
    return entry


def texts_of(item_pks: list[int]) -> dict[int, dict[str, str]]:
    """item pk -> newest text and author, for a page of inbox entries."""
    return {pk: {"text": v["text"], "author": v["author"]} for pk, v in _latest(item_pks).items()}


def thread_of(entry: InboxEntry, depth: int = 10) -> list[dict[str, object]]:
    """The posts the item answers (oldest first, up to `depth`), the item, then the replies
    to it: each with its archive id, author, text and whether it is this item."""
    chain: list[int] = [entry.item_id]
    parent = _latest([entry.item_id]).get(entry.item_id, {}).get("parent", "")
    while parent and len(chain) <= depth:
        found = ArchivedItem.objects.filter(stream=entry.item.stream_id, platform_id=parent) \
            .values_list("pk", flat=True).first()
        if found is None or found in chain:
            break
        chain.insert(0, found)
        parent = _latest([found]).get(found, {}).get("parent", "")
    replies = list(ItemVersion.objects.filter(stream=entry.item.stream_id,
                                              content__parent_id=entry.item.platform_id)
                   .values_list("item_id", flat=True).distinct()[:50])
    latest = _latest(chain + replies)
    return [{"pk": pk, "this": pk == entry.item_id, "reply": pk in replies,
             **latest.get(pk, {"text": "", "author": "", "parent": ""})}
            for pk in chain + [r for r in replies if r not in chain]]
