"""What the publishing pages, the API and the command line read: a person's approval
queue, the calendar of an agency's scheduled and sent posts, its iCalendar feed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from civicsocial.publishing.approvals import why_not_approver
from civicsocial.publishing.models import Approval, Draft, DraftStatus, Target, TargetState
from civicsocial.registry.models import Agency, Person
from civicsocial.registry.permissions import Action, agencies_for

QUEUE_LIMIT = 100


def approval_queue(person: Person, limit: int = QUEUE_LIMIT) -> list[Draft]:
    """Drafts whose next step `person` may decide, oldest submission first."""
    decided = Approval.objects.filter(draft=OuterRef("pk"), revision=OuterRef("revision"), approver=person)
    candidates = Draft.objects.filter(status=DraftStatus.IN_REVIEW,
                                      agency__in=agencies_for(person, Action.APPROVE_POSTS)) \
        .exclude(author=person).exclude(Exists(decided)).select_related("author", "agency") \
        .order_by("submitted_at", "pk")
    found: list[Draft] = []
    for draft in candidates.iterator(chunk_size=200):
        if not why_not_approver(person, draft):
            found.append(draft)
            if len(found) >= limit:
                break
    return found


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
