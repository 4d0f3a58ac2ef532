"""The publishing record of an archived official post (issue 19): the draft, its author,
each approval with the content hash it bound, how and when it was sent. Shown on the
archive item's page and written into FOIL productions (records.provenance)."""

from __future__ import annotations

from typing import Any

from civicsocial.publishing.models import Approval, Decision, OutsidePost, Target


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def published_from(item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{archived item id: {"published_from_draft": ...}} for the items a draft produced,
    {"posted_outside_civic_social": ...} for those flagged as made outside it."""
    targets = list(Target.objects.filter(archived_item_id__in=item_ids)
                   .select_related("draft__author", "account"))
    approvals: dict[int, list[Approval]] = {}
    for approval in Approval.objects.filter(draft_id__in=[t.draft_id for t in targets],
                                            decision=Decision.APPROVED).select_related("approver"):
        if approval.revision == next(t.draft.revision for t in targets if t.draft_id == approval.draft_id):
            approvals.setdefault(approval.draft_id, []).append(approval)
    found = {}
    for target in targets:
        draft = target.draft
        assert target.archived_item_id is not None
        found[target.archived_item_id] = {"published_from_draft": {
            "draft": draft.pk, "uid": str(draft.uid), "drafted_by": str(draft.author),
            "drafted_at": _when(draft.created_at), "revision": draft.revision,
            "content_hash": draft.content_hash, "route": target.route,
            "vendor_message_id": target.vendor_message_id, "sent_at": _when(target.sent_at),
            "approvals": [{"step": a.step, "by": str(a.approver), "at": _when(a.decided_at),
                           "content_hash": a.content_hash}
                          for a in sorted(approvals.get(draft.pk, []), key=lambda a: a.step)]}}
    for outside in OutsidePost.objects.filter(item_id__in=item_ids):
        found[outside.item_id] = {"posted_outside_civic_social": {
            "found_at": _when(outside.found_at), "incident": outside.incident_id}}
    return found
