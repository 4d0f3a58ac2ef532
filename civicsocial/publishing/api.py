"""Publishing API (issue 19): drafts, approvals, the queue and the schedule, with the
pages' permissions. Thin: lookups, permissions, the services. (Images are attached on the
compose page; the API drafts text and links.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from civicsocial.http import AuthedRequest
from civicsocial.publishing import approvals, compose, queries
from civicsocial.publishing.models import Draft, DraftKind, DraftStatus, Target
from civicsocial.registry.models import Account
from civicsocial.registry.permissions import Action, agencies_for, require, visible_agencies

router = Router(tags=["publishing"])


class TargetOut(Schema):
    account_id: int
    account: str
    state: str
    route: str
    vendor_message_id: str
    platform_id: str
    url: str
    sent_at: datetime | None
    archived_item_id: int | None

    @staticmethod
    def resolve_account(obj: Target) -> str:
        return str(obj.account)


class ApprovalOut(Schema):
    revision: int
    step: int
    approver: str
    decision: str
    content_hash: str
    reason: str
    decided_at: datetime

    @staticmethod
    def resolve_approver(obj: object) -> str:
        return str(obj.approver)  # type: ignore[attr-defined]


class DraftOut(Schema):
    id: int
    agency: str
    author: str
    text: str
    link: str
    kind: str
    reply_to: str
    share_of: str
    send_at: datetime | None
    status: str
    revision: int
    content_hash: str
    next_step: int
    targets: list[TargetOut]
    approvals: list[ApprovalOut]

    @staticmethod
    def resolve_agency(obj: Draft) -> str:
        return obj.agency.slug

    @staticmethod
    def resolve_author(obj: Draft) -> str:
        return str(obj.author)

    @staticmethod
    def resolve_next_step(obj: Draft) -> int:
        return approvals.next_step(obj)

    @staticmethod
    def resolve_targets(obj: Draft) -> list[Target]:
        return list(obj.targets.select_related("account"))

    @staticmethod
    def resolve_approvals(obj: Draft) -> list[object]:
        return list(obj.approvals.select_related("approver"))


class DraftIn(Schema):
    accounts: list[Annotated[int, Field(ge=1, le=2**63 - 1)]]
    text: str = ""
    link: str = ""
    kind: str = DraftKind.ORIGINAL
    reply_to: str = ""
    share_of: str = ""
    send_at: datetime | None = None  # with an offset; or the city's wall-clock time without one
    submit: bool = False


class DecisionIn(Schema):
    decision: str  # approve | reject
    content_hash: str
    step: int | None = None
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class ScheduledOut(Schema):
    draft: int
    account: str
    state: str
    at: datetime | None
    text: str


def _draft(request: AuthedRequest, draft_id: int) -> Draft:
    return get_object_or_404(Draft.objects.select_related("agency", "author")
                             .filter(agency__in=agencies_for(request.user, Action.VIEW_AGENCY)), pk=draft_id)


def _input(request: AuthedRequest, payload: DraftIn) -> compose.DraftInput:
    visible = Account.objects.filter(agency__in=visible_agencies(request.user))
    accounts = list(visible.filter(pk__in=payload.accounts))
    if len(accounts) != len(set(payload.accounts)):
        raise ValidationError({"accounts": "Name accounts of your agency by their id."})
    for account in accounts:
        require(request.user, Action.DRAFT_POSTS, account.agency)
    if payload.kind not in DraftKind.values:
        raise ValidationError({"kind": f"One of {', '.join(DraftKind.values)}."})
    return compose.DraftInput(payload.text, accounts, payload.link, payload.kind, payload.reply_to,
                              payload.share_of, payload.send_at)


@router.get("/posts", response=list[DraftOut])
def list_posts(request: AuthedRequest, status: str | None = None,
               agency: str | None = None) -> QuerySet[Draft]:
    """Drafts of the caller's agencies, newest first (at most 200)."""
    drafts = Draft.objects.filter(agency__in=agencies_for(request.user, Action.VIEW_AGENCY)) \
        .select_related("agency", "author")
    if status:
        drafts = drafts.filter(status=status)
    if agency:
        drafts = drafts.filter(agency__slug=agency)
    return drafts[:200]


@router.get("/posts/queue", response=list[DraftOut])
def my_queue(request: AuthedRequest) -> list[Draft]:
    """Drafts whose next step the caller may decide."""
    return queries.approval_queue(request.user)


@router.get("/posts/schedule", response=list[ScheduledOut])
def schedule(request: AuthedRequest, start: date | None = None, days: int = 31,
             account: int | None = None) -> list[dict[str, object]]:
    """The calendar: each account's post from `start` (today) for `days` days (at most 92)."""
    start = start or timezone.localdate()
    end = start + timedelta(days=max(1, min(days, 92)))
    targets = queries.calendar_targets(agencies_for(request.user, Action.VIEW_AGENCY), start, end, account)
    return [{"draft": t.draft_id, "account": str(t.account), "state": t.state, "at": queries.when(t),
             "text": t.draft.text} for t in targets]


@router.get("/agencies/{slug}/posts.ics", response={200: None})
def calendar_feed(request: AuthedRequest, slug: str) -> HttpResponse:
    """The agency's posts from a month back to three months ahead, as iCalendar (RFC 5545),
    for a script or a calendar tool that sends an API token."""
    agency = get_object_or_404(agencies_for(request.user, Action.VIEW_AGENCY), slug=slug)
    today = timezone.localdate()
    body = queries.ical_feed(agency, today - timedelta(days=31), today + timedelta(days=92),
                             request.build_absolute_uri("/"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@router.get("/posts/{draft_id}", response=DraftOut)
def get_post(request: AuthedRequest, draft_id: int) -> Draft:
    return _draft(request, draft_id)


@router.post("/posts", response={201: DraftOut})
def create_post(request: AuthedRequest, payload: DraftIn) -> Status[Draft]:
    """A new draft; with `submit`, sent for approval at once."""
    draft = compose.create_draft(request.user, _input(request, payload))
    if payload.submit:
        draft = approvals.submit(request.user, draft)
    return Status(201, draft)


@router.patch("/posts/{draft_id}", response=DraftOut)
def edit_post(request: AuthedRequest, draft_id: int, payload: DraftIn) -> Draft:
    """Change a draft; after an approval it starts again at the first step."""
    draft = _draft(request, draft_id)
    require(request.user, Action.DRAFT_POSTS, draft.agency)
    edited = compose.edit_draft(request.user, draft, _input(request, payload))
    if payload.submit and edited.status in (DraftStatus.WRITING, DraftStatus.REJECTED):
        edited = approvals.submit(request.user, edited)
    return edited


@router.post("/posts/{draft_id}/submit", response=DraftOut)
def submit_post(request: AuthedRequest, draft_id: int) -> Draft:
    return approvals.submit(request.user, _draft(request, draft_id))


@router.post("/posts/{draft_id}/decision", response=DraftOut)
def decide_post(request: AuthedRequest, draft_id: int, payload: DecisionIn) -> Draft:
    """Approve or send back the next step, naming the content hash read (and the step)."""
    draft = _draft(request, draft_id)
    require(request.user, Action.APPROVE_POSTS, draft.agency)
    if payload.decision not in ("approve", "reject"):
        raise ValidationError({"decision": "approve or reject"})
    approvals.decide(request.user, draft, payload.decision == "approve", payload.content_hash,
                     payload.reason, payload.step)
    draft.refresh_from_db()
    return draft


@router.post("/posts/{draft_id}/withdraw", response=DraftOut)
def withdraw_post(request: AuthedRequest, draft_id: int, payload: ReasonIn) -> Draft:
    """Take a draft out of review or off the schedule."""
    return approvals.withdraw(request.user, _draft(request, draft_id), payload.reason)
