"""What the publishing pages, the API and the command line read: a person's approval
queue, the calendar of an agency's scheduled and sent posts, its iCalendar feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from icalendar import Calendar, Event

from civicsocial.publishing.approvals import chain_of
from civicsocial.publishing.models import (
    Approval,
    ApprovalStep,
    Decision,
    Draft,
    DraftStatus,
    Target,
    TargetState,
)
from civicsocial.registry.models import Account, Agency, Person
from civicsocial.registry.permissions import Action, agencies_for
from civicsocial.registry.services import current_training

QUEUE_LIMIT = 100
PAGE = 200


def approval_queue(person: Person, limit: int = QUEUE_LIMIT) -> list[Draft]:
    """Drafts whose next step `person` may decide, oldest submission first, read a page at
    a time: the chains, the person's authorizations and training (P4) once, the approvals
    of each page in one query, never once per draft."""
    agencies = agencies_for(person, Action.APPROVE_POSTS)
    candidates = Draft.objects.filter(status=DraftStatus.IN_REVIEW, agency__in=agencies) \
        .exclude(author=person).select_related("author", "agency").order_by("submitted_at", "pk")
    may = _steps_person_may_decide(person, agencies)
    found: list[Draft] = []
    for offset in range(0, 10**9, PAGE):
        page = list(candidates[offset:offset + PAGE])
        accounts: dict[int, list[Account]] = {}
        for target in Target.objects.filter(draft__in=page).select_related("account"):
            accounts.setdefault(target.draft_id, []).append(target.account)
        decisions = Approval.objects.filter(draft__in=page).values_list("draft_id", "revision", "approver_id",
                                                                         "decision")
        approved: dict[tuple[int, int], int] = {}
        decided: set[tuple[int, int]] = set()
        for draft_id, revision, approver_id, decision in decisions:
            if decision == Decision.APPROVED:
                approved[(draft_id, revision)] = approved.get((draft_id, revision), 0) + 1
            if approver_id == person.pk:
                decided.add((draft_id, revision))
        for draft in page:
            key = (draft.pk, draft.revision)
            step = approved.get(key, 0) + 1
            if key not in decided and all(may(account, step) for account in accounts.get(draft.pk, [])):
                found.append(draft)
                if len(found) >= limit:
                    return found
        if len(page) < PAGE:
            return found
    return found


def _steps_person_may_decide(person: Person, agencies: QuerySet[Agency]) -> Callable[[Account, int], bool]:
    """may(account, step): the chain's rule for the step admits the person, who is
    authorized for the account with a current training (P4)."""
    trained = current_training(person) is not None
    authorized = set(person.authorizations.filter(revoked_at__isnull=True)
                     .values_list("account_id", flat=True))
    steps: dict[int, list[ApprovalStep]] = {}
    for step in ApprovalStep.objects.filter(account__agency__in=agencies).prefetch_related("people"):
        steps.setdefault(step.account_id, []).append(step)
    known: dict[tuple[int, int], bool] = {}

    def may(account: Account, step: int) -> bool:
        if (account.pk, step) not in known:
            chain = chain_of(account, steps.get(account.pk, []))
            known[(account.pk, step)] = step > len(chain) or (
                chain[step - 1].admits(person, account) and trained and account.pk in authorized
                and person.is_active)
        return known[(account.pk, step)]

    return may


def waiting_for_others(person: Person, limit: int = QUEUE_LIMIT) -> QuerySet[Draft]:
    """The person's own drafts in review or sent back, newest first."""
    return Draft.objects.filter(author=person, status__in=(DraftStatus.IN_REVIEW, DraftStatus.REJECTED)) \
        .select_related("agency").order_by("-updated_at")[:limit]


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def as_moment(day: date) -> datetime:
    """Midnight of `day` in the city's time zone."""
    return timezone.make_aware(datetime.combine(day, time()))


def calendar_targets(agencies: QuerySet[Agency], start: date, end: date,
                     account_id: int | None = None) -> QuerySet[Target]:
    """Each account's post from `start` to `end` (city days): scheduled, sent, or waiting
    for approval with a time, with its draft."""
    begin, finish = as_moment(start), as_moment(end)
    targets = Target.objects.filter(draft__agency__in=agencies).exclude(
        state=TargetState.UNSCHEDULED).exclude(draft__status=DraftStatus.WITHDRAWN).filter(
        Q(sent_at__gte=begin, sent_at__lt=finish) | Q(sent_at__isnull=True, draft__send_at__gte=begin,
                                                      draft__send_at__lt=finish))
    if account_id:
        targets = targets.filter(account_id=account_id)
    return targets.select_related("draft", "account").order_by("draft__send_at", "sent_at", "pk")


@dataclass(frozen=True)
class CalendarEntry:
    """One post in the calendar: light, so a month of thousands draws quickly."""

    draft_id: int
    at: datetime
    state: str
    handle: str
    text: str

    @property
    def state_label(self) -> str:
        return TargetState(self.state).label


def calendar_entries(agencies: QuerySet[Agency], start: date, end: date,
                     account_id: int | None = None) -> list[CalendarEntry]:
    """The calendar's posts from `start` to `end`, in time order (the first 80 characters)."""
    rows = calendar_targets(agencies, start, end, account_id) \
        .annotate(at=Coalesce("sent_at", "draft__send_at"), excerpt=Substr("draft__text", 1, 80)) \
        .order_by("at", "pk").values_list("draft_id", "at", "state", "account__handle", "excerpt")
    return [CalendarEntry(*row) for row in rows]


def when(target: Target) -> datetime | None:
    """The moment a post is shown at: when it was sent, or when it is to be."""
    return target.sent_at or target.draft.send_at


def ical_feed(agency: Agency, start: date, end: date, base_url: str) -> bytes:
    """The agency's posts as an iCalendar feed (one event per post and account)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Civic Social//Publishing calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{agency.name}: social media posts")
    for target in calendar_targets(Agency.objects.filter(pk=agency.pk), start, end):
        moment = when(target)
        if moment is None:
            continue
        event = Event()
        event.add("uid", f"{target.draft.uid}-{target.account_id}@civicsocial")
        event.add("dtstamp", target.draft.updated_at)
        event.add("dtstart", moment)
        event.add("dtend", moment + timedelta(minutes=15))
        event.add("summary", f"{target.account}: {target.draft.text[:80]}")
        event.add("description", f"{target.get_state_display()}\n{target.draft.text}")
        event.add("url", f"{base_url.rstrip('/')}{target.draft.get_absolute_url()}")
        calendar.add_component(event)
    return calendar.to_ical()
