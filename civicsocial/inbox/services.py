"""Inbox rules as plain functions. `triage_new_items` puts every incoming item captured
since the last call into its account's inbox with its labels (run after each capture and
by the worker every minute)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from civicsocial.inbox.models import InboxItem
from civicsocial.inbox.triage import Comment, triage_many
from civicsocial.records.models import ArchivedItem, ItemKind, ItemVersion

INCOMING = [ItemKind.COMMENT, ItemKind.MESSAGE]
BATCH = 2000


def _latest_texts(item_ids: list[int]) -> dict[int, tuple[str, str]]:
    """item pk -> (text, parent item_id) of its newest version."""
    newest = ItemVersion.objects.filter(item=OuterRef("item")).order_by("-version_no")
    versions = ItemVersion.objects.filter(item__in=item_ids, pk=Subquery(newest.values("pk")[:1]))
    return {v["item_id"]: (v["content__text"], v["content__parent_id"])
            for v in versions.values("item_id", "content__text", "content__parent_id")}


def _post_texts(parent_ids: set[str]) -> dict[str, str]:
    """item_id -> newest text, for the posts and replies being answered."""
    items = ArchivedItem.objects.filter(item_id__in=parent_ids).values_list("pk", "item_id")
    by_pk = dict(items)
    return {by_pk[pk]: text for pk, (text, _) in _latest_texts(list(by_pk)).items()}


def triage_new_items(batch: int = BATCH) -> int:
    """Triage every incoming item not yet in an inbox; returns how many were added."""
    added = 0
    while True:
        items = list(ArchivedItem.objects.filter(kind__in=INCOMING, stream__account__isnull=False,
                                                 inbox__isnull=True)
                     .select_related("stream__account__agency").order_by("pk")[:batch])
        if not items:
            return added
        texts = _latest_texts([i.pk for i in items])
        posts = _post_texts({parent for _, parent in texts.values() if parent})
        comments = []
        for item in items:
            text, parent = texts.get(item.pk, ("", ""))
            account = item.stream.account
            assert account is not None
            comments.append(Comment(text, account.topic_statement if account.topic_limited else None,
                                    posts.get(parent, ""), account.agency.acronym or account.handle))
        rows = [InboxItem(item=item, account=item.stream.account, labels=found.labels,
                          reasons=found.reasons, captured_at=item.first_captured_at)
                for item, found in zip(items, triage_many(comments), strict=True)]
        InboxItem.objects.bulk_create(rows, ignore_conflicts=True)
        added += len(rows)
        if len(items) < batch:
            return added


