"""Removing an outside comment, within the law (P22). Comments are never modified: there is
no edit. A moderator may propose hiding or deleting one only on a listed ground (obscene,
hate speech, solicitation, a terms-of-service violation; off topic only on a topic-limited
account); only the agency's counsel approves; then the platform adapter hides or deletes it.
The archive keeps the original and its capture history whatever is decided, and every
step is in the audit log.

A complaint alone is never a ground: when the comment reads as a complaint and triage
found no such ground in it, the moderator must quote the words that make it one.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from civicsocial.inbox.models import InboxEntry, InboxState, RemovalGround, RemovalProposal
from civicsocial.inbox.services import text_of
from civicsocial.inbox.triage import OFF_TOPIC
from civicsocial.platforms.adapters.base import Capability, PlatformAdapter, PlatformError
from civicsocial.platforms.adapters.registry import adapter_for, capabilities_of
from civicsocial.registry.models import Person
from civicsocial.registry.permissions import Action, can
from civicsocial.security import audit

NEEDS = {RemovalProposal.Action.HIDE: Capability.HIDE,
         RemovalProposal.Action.DELETE: Capability.DELETE_THIRD_PARTY}
# Double quotes, straight or curly, or guillemets (single quotes are apostrophes too).
_QUOTED = re.compile("[\"\u201c\u201d\u00ab\u00bb]([^\"\u201c\u201d\u00ab\u00bb]{3,})"
                     "[\"\u201c\u201d\u00ab\u00bb]")


def grounds_for(entry: InboxEntry) -> list[str]:
    """The grounds a proposal on this item may give (off topic only on a topic-limited account)."""
    return [g for g in RemovalGround.values
            if g != OFF_TOPIC or entry.account.topic_limited]


def actions_for(entry: InboxEntry) -> list[str]:
    """Hide and/or delete, as far as the account's platform allows."""
    offered = capabilities_of(entry.account.platform)
    return [action for action, needed in NEEDS.items() if needed in offered]


def _quotes_the_comment(explanation: str, text: str) -> bool:
    lowered = text.lower()
    return any(quote.strip().lower() in lowered for quote in _QUOTED.findall(explanation)
               if len(quote.strip()) >= 3)


def _check_proposal(entry: InboxEntry, action: str, ground: str, explanation: str) -> None:
    if ground not in grounds_for(entry):
        if ground == OFF_TOPIC:
            raise ValidationError({"ground": "Off topic is a ground only on an account limited "
                                             "to a stated topic (P22)."})
        raise ValidationError({"ground": "Choose one of the grounds the policy allows (P22): "
                                         "a complaint or criticism is never one."})
    if action not in actions_for(entry):
        raise ValidationError({"action": f"{entry.account.get_platform_display()} does not let "
                                         f"the account {action} a resident's comment."})
    if not explanation.strip():
        raise ValidationError({"explanation": "Say why the comment falls under the ground."})
    if ground not in entry.labels and "complaint" in entry.labels and \
            not _quotes_the_comment(explanation, text_of(entry)):
        raise ValidationError({"explanation": "This comment reads as a complaint and triage found "
                               "no such ground in it. A complaint alone is never removed (P22): "
                               "quote the words that make it one, in quotation marks."})
    if entry.state == InboxState.HIDDEN:
        raise ValidationError("This comment is already hidden.")
    if entry.proposals.filter(decision=RemovalProposal.Decision.PENDING).exists():
        raise ValidationError("A proposal on this comment is already waiting for counsel.")


@transaction.atomic
def propose_removal(actor: Person, entry: InboxEntry, action: str, ground: str,
                    explanation: str) -> RemovalProposal:
    """A moderator's proposal, waiting for counsel."""
    _check_proposal(entry, action, ground, explanation)
    proposal = RemovalProposal.objects.create(entry=entry, action=action, ground=ground,
                                              explanation=explanation.strip(), proposed_by=actor)
    audit.record(actor, "inbox.removal_proposed", entry.item, agency_id=entry.account.agency_id,
                 changes={"action": [None, action], "ground": [None, ground]},
                 reason=proposal.explanation)
    return proposal


def is_counsel(person: Person, entry: InboxEntry) -> bool:
    """Counsel of the item's agency: the only people who decide (not even an ODS admin)."""
    return can(person, Action.DECIDE_REMOVAL, entry.account.agency_id)


def decide_removal(actor: Person, proposal: RemovalProposal, approve: bool, reason: str,
                   adapter: PlatformAdapter | None = None) -> RemovalProposal:
    """Counsel approves (and the platform hides or deletes the comment) or rejects."""
    entry = proposal.entry
    if not is_counsel(actor, entry):
        raise PermissionDenied("Only the agency's counsel decides on a removal (P22).")
    if proposal.decision != RemovalProposal.Decision.PENDING:
        raise ValidationError("This proposal has already been decided.")
    if actor.pk == proposal.proposed_by_id:
        raise ValidationError("Whoever proposed a removal cannot also approve it.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the decision."})
    with transaction.atomic():
        proposal.decision = RemovalProposal.Decision.APPROVED if approve else \
            RemovalProposal.Decision.REJECTED
        proposal.decided_by, proposal.decided_at = actor, timezone.now()
        proposal.decision_reason = reason.strip()
        proposal.save()
        audit.record(actor, f"inbox.removal_{proposal.decision}", entry.item,
                     agency_id=entry.account.agency_id, reason=proposal.decision_reason,
                     changes={"decision": ["pending", proposal.decision]})
    if approve:
        carry_out(proposal, adapter)
    return proposal


def carry_out(proposal: RemovalProposal, adapter: PlatformAdapter | None = None) -> bool:
    """Hide or delete an approved comment on the platform; a failure is kept on the
    proposal (to try again), never raised. True when done."""
    entry = proposal.entry
    if proposal.decision != RemovalProposal.Decision.APPROVED or proposal.carried_out_at:
        return bool(proposal.carried_out_at)
    try:
        speaker = adapter or adapter_for(entry.account)
        if proposal.action == RemovalProposal.Action.HIDE:
            speaker.hide(entry.item.platform_id)
        else:
            speaker.delete(entry.item.platform_id)
    except PlatformError as error:
        proposal.platform_error = str(error)[:2000]
        proposal.save(update_fields=["platform_error"])
        return False
    with transaction.atomic():
        proposal.carried_out_at, proposal.platform_error = timezone.now(), ""
        proposal.save(update_fields=["carried_out_at", "platform_error"])
        entry.state = InboxState.HIDDEN
        entry.save(update_fields=["state"])
        audit.record(None, f"inbox.{proposal.action}_done", entry.item,
                     agency_id=entry.account.agency_id,
                     changes={"state": [None, InboxState.HIDDEN]})
    return True


def may_restore(proposal: RemovalProposal) -> bool:
    """A hide that was carried out, not restored yet, on a platform that can show it again."""
    return (proposal.action == RemovalProposal.Action.HIDE and proposal.carried_out_at is not None
            and proposal.restored_at is None
            and Capability.UNHIDE in capabilities_of(proposal.entry.account.platform))


def restore_hidden(actor: Person, proposal: RemovalProposal, reason: str,
                   adapter: PlatformAdapter | None = None) -> RemovalProposal:
    """Counsel shows a hidden comment again (P22: the same person decides both ways), with a
    reason; the platform is asked first, and nothing is recorded if it refuses."""
    entry = proposal.entry
    if not is_counsel(actor, entry):
        raise PermissionDenied("Only the agency's counsel restores a hidden comment (P22).")
    if not may_restore(proposal):
        raise ValidationError("Only a comment hidden through this proposal, on a platform that can show "
                              "it again, can be restored.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for restoring it."})
    try:
        (adapter or adapter_for(entry.account)).unhide(entry.item.platform_id)
    except PlatformError as error:
        raise ValidationError(f"The platform refused: {error}") from None
    with transaction.atomic():
        proposal.restored_at, proposal.restored_by = timezone.now(), actor
        proposal.restore_reason = reason.strip()
        proposal.save(update_fields=["restored_at", "restored_by", "restore_reason"])
        entry.state = InboxState.REVIEWED
        entry.save(update_fields=["state"])
        audit.record(actor, "inbox.hide_undone", entry.item, agency_id=entry.account.agency_id,
                     reason=proposal.restore_reason,
                     changes={"state": [InboxState.HIDDEN, InboxState.REVIEWED]})
    return proposal
