"""Inbox rules as plain functions. `triage_new_items` puts every incoming item captured
since the last call into its account's inbox with its labels and the place it names, then
routes it (routing.py: legal notice, FOIL). Run after each capture and by the worker every
minute."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from civicsocial.inbox import routing
from civicsocial.inbox.location import find_location
from civicsocial.inbox.models import InboxItem
from civicsocial.inbox.triage import Comment, triage_many
from civicsocial.records.models import ArchivedItem, ItemKind, ItemVersion

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
    """item_id -> newest text, for the posts and replies being answered."""
    items = ArchivedItem.objects.filter(item_id__in=parent_ids).values_list("pk", "item_id")
    by_pk = dict(items)
    return {by_pk[pk]: v["text"] for pk, v in _latest(list(by_pk)).items()}


def triage_new_items(batch: int = BATCH) -> int:
    """Triage every incoming item not yet in an inbox; returns how many were added."""
    added = 0
    while True:
        items = list(ArchivedItem.objects.filter(kind__in=INCOMING, stream__account__isnull=False,
                                                 inbox__isnull=True)
                     .select_related("stream__account__agency").order_by("pk")[:batch])
        if not items:
            return added
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
                                    account.agency.acronym or account.handle))
        rows = [InboxItem(item=item, account=item.stream.account, labels=found.labels,
                          reasons=found.reasons, captured_at=item.first_captured_at,
                          location=find_location(comment.text)[:300]
                          if LOCATED & set(found.labels) else "")
                for item, comment, found in zip(items, comments, triage_many(comments),
                                                strict=True)]
        InboxItem.objects.bulk_create(rows, ignore_conflicts=True)
        _route([row.item_id for row in rows if set(row.labels) & routing.ROUTED], latest)
        added += len(rows)
        if len(items) < batch:
            return added




def _route(item_pks: list[int], latest: dict[int, dict[str, str]]) -> None:
    if not item_pks:
        return
    entries = list(InboxItem.objects.filter(item__in=item_pks)
                   .select_related("item", "account__agency"))
    routing.route(entries, {pk: (v["author"], v["text"]) for pk, v in latest.items()})
