"""Review and approval of content (P5, issue 19): each account's chain of one to three
steps; campaign accounts (P9) add the agency's counsel. Nobody approves their own draft or
two steps of one draft; an approval binds the content hash the approver saw; the gates
(P2, P4, P14, P20) are checked at every decision and again at send."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicsocial.publishing.compose import gate_problems
from civicsocial.publishing.models import Approval, ApprovalStep, Decision, Draft, DraftStatus
from civicsocial.publishing.sending import release, unschedule_all
from civicsocial.registry.gates import authorization_problem
from civicsocial.registry.models import Account, AccountType, Person, Role
from civicsocial.registry.permissions import Action, can, require, roles_by_agency
from civicsocial.security import audit

MAX_STEPS = 3


@dataclass(frozen=True)
class StepRule:
    """Who may decide step `position` for one account."""

    position: int
    role: str
    people: frozenset[int]

    def label(self) -> str:
        named = f"{len(self.people)} named people" if self.people else ""
        held = Role(self.role).label if self.role else ""
        return " or ".join(part for part in (held, named) if part)

    def admits(self, person: Person, account: Account) -> bool:
        if person.pk in self.people:
            return True
        return bool(self.role) and self.role in roles_by_agency(person).get(account.agency_id, set())


def chain_of(account: Account, steps_of: list[ApprovalStep] | None = None) -> list[StepRule]:
    """The account's chain: its steps (an approver by default), then counsel on a campaign
    account (P9) unless a step already is counsel's. `steps_of`: its steps, read already."""
    found = steps_of if steps_of is not None else list(account.approval_steps.prefetch_related("people"))
    steps = [StepRule(s.position, s.role, frozenset(p.pk for p in s.people.all()))
             for s in sorted(found, key=lambda s: s.position)]
    rules = steps or [StepRule(1, Role.APPROVER, frozenset())]
    if account.account_type == AccountType.CAMPAIGN and not any(r.role == Role.COUNSEL for r in rules):
        rules.append(StepRule(len(rules) + 1, Role.COUNSEL, frozenset()))
    return rules


def steps_needed(draft: Draft) -> int:
    """How many steps the draft needs: the longest chain among its accounts."""
    return max((len(chain_of(t.account)) for t in draft.targets.select_related("account")), default=1)


def rules_for_step(draft: Draft, step: int) -> list[tuple[Account, StepRule]]:
    """Each account's rule for this step (accounts with a shorter chain have none)."""
    found = []
    for target in draft.targets.select_related("account"):
        chain = chain_of(target.account)
        if step <= len(chain):
            found.append((target.account, chain[step - 1]))
    return found


def next_step(draft: Draft) -> int:
    """The step waiting for a decision in the current revision."""
    return draft.approvals.filter(revision=draft.revision, decision=Decision.APPROVED).count() + 1


def why_not_approver(person: Person, draft: Draft, step: int | None = None) -> str:
    """Why `person` may not decide the draft's next step ("" when they may)."""
    step = step or next_step(draft)
    if not can(person, Action.APPROVE_POSTS, draft.agency_id):
        return "Your role does not include approving posts."
    if person.pk == draft.author_id:
        return "Nobody approves their own draft."
    if draft.approvals.filter(revision=draft.revision, approver=person).exists():
        return "You already decided a step of this draft: another person decides this one."
    for account, rule in rules_for_step(draft, step):
        if not rule.admits(person, account):
            return f"Step {step} for {account} is for: {rule.label()}."
        problem = authorization_problem(person, account)
        if problem:
            return problem
    return ""


def _refuse_if_blocked(draft: Draft) -> None:
    problems = gate_problems(draft)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def submit(actor: Person, draft: Draft) -> Draft:
    """Send a draft for approval, from the first step."""
    require(actor, Action.DRAFT_POSTS, draft.agency)
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    if draft.status not in (DraftStatus.WRITING, DraftStatus.REJECTED):
        raise ValidationError("This draft is not being written: it was already submitted.")
    _refuse_if_blocked(draft)
    if draft.status == DraftStatus.REJECTED:
        draft.revision += 1
    draft.status, draft.submitted_at = DraftStatus.IN_REVIEW, timezone.now()
    draft.save(update_fields=["status", "submitted_at", "revision"])
    audit.record(actor, "draft.submitted", draft, changes={"status": ["writing", "in_review"],
                                                          "content_hash": [None, draft.content_hash]})
    return draft


SOMEONE_ELSE = "Someone else decided this step at the same moment: reload the draft."


def decide(actor: Person, draft: Draft, approve: bool, seen_hash: str, reason: str = "",
           step: int | None = None) -> Approval:
    """Approve or send back the draft's next step (`step`: the one the approver saw, if
    given). `seen_hash` is the content hash of what the approver read: if the draft changed
    since, nothing is decided. Two approvers at once give one decision for the step (a row
    lock, and the database's unique constraint behind it)."""
    try:
        with transaction.atomic():
            return _decide(actor, draft, approve, seen_hash, reason.strip(), step)
    except IntegrityError:
        raise ValidationError(SOMEONE_ELSE) from None


def _decide(actor: Person, draft: Draft, approve: bool, seen_hash: str, reason: str,
            seen_step: int | None) -> Approval:
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    step = next_step(draft)
    if seen_step is not None and seen_step != step:
        raise ValidationError(SOMEONE_ELSE)
    if draft.status != DraftStatus.IN_REVIEW:
        raise ValidationError("This draft is not waiting for approval.")
    if seen_hash != draft.content_hash:
        raise ValidationError("The draft changed after you opened it: read it again before deciding.")
    problem = why_not_approver(actor, draft, step)
    if problem:
        raise PermissionDenied(problem)
    if not approve and not reason:
        raise ValidationError({"reason": "Say why it is sent back, so the author can fix it."})
    if approve:
        _refuse_if_blocked(draft)
    approval = Approval.objects.create(draft=draft, revision=draft.revision, step=step, approver=actor,
                                       decision=Decision.APPROVED if approve else Decision.REJECTED,
                                       content_hash=draft.content_hash, reason=reason)
    audit.record(actor, "draft.approved" if approve else "draft.rejected", draft, reason=reason,
                 changes={"step": [None, step], "revision": [None, draft.revision],
                          "content_hash": [None, draft.content_hash]})
    if not approve:
        draft.status = DraftStatus.REJECTED
        draft.save(update_fields=["status"])
    elif step >= steps_needed(draft):
        release(draft)
    return approval


@transaction.atomic
def withdraw(actor: Person, draft: Draft, reason: str) -> Draft:
    """Take a draft out of review or the schedule (before it is sent)."""
    require(actor, Action.DRAFT_POSTS, draft.agency)
    draft = Draft.objects.select_for_update().get(pk=draft.pk)
    if draft.status in (DraftStatus.SENT, DraftStatus.WITHDRAWN):
        raise ValidationError("This draft was already sent or withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is withdrawn."})
    unschedule_all(draft, actor, reason)
    draft.status = DraftStatus.WITHDRAWN
    draft.save(update_fields=["status"])
    audit.record(actor, "draft.withdrawn", draft, reason=reason)
    return draft


@transaction.atomic
def set_chain(actor: Person, account: Account, steps: list[tuple[str, list[Person]]]) -> list[ApprovalStep]:
    """Replace the account's approval chain: one to three steps, each a role or people."""
    require(actor, Action.SET_APPROVAL_CHAIN, account.agency)
    if not 1 <= len(steps) <= MAX_STEPS:
        raise ValidationError("An approval chain has one to three steps.")
    for n, (role, people) in enumerate(steps, 1):
        if not role and not people:
            raise ValidationError(f"Step {n} needs a role or named people.")
    before = [s.role or "people" for s in account.approval_steps.all()]
    account.approval_steps.all().delete()
    made = []
    for n, (role, people) in enumerate(steps, 1):
        step = ApprovalStep.objects.create(account=account, position=n, role=role)
        step.people.set(people)
        made.append(step)
    audit.record(actor, "account.approval_chain", account,
                 changes={"steps": [before, [role or "people" for role, _ in steps]]})
    return made
