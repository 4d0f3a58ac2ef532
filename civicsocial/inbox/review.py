"""The daily review clock (P21): a moderator reviews each account's inbox at least every
24 hours (CIVICSOCIAL_REVIEW_EVERY_HOURS). An account is overdue when its last review (or,
never reviewed, its registration) is older than that; the pages show it red and
`send_overdue_alerts` e-mails the agency's moderators and central contact, once per lapse.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from civicsocial.inbox import notify
from civicsocial.inbox.models import AccountReview, InboxEntry, InboxState, OverdueAlert
from civicsocial.registry.models import Account, AccountStatus, Person, Role
from civicsocial.security import audit


def review_period() -> timedelta:
    return timedelta(hours=float(settings.REVIEW_EVERY_HOURS))


@dataclass(frozen=True)
class Clock:
    account: Account
    last_reviewed_at: datetime | None
    due_at: datetime
    overdue: bool
    new_items: int


def clocks(accounts: QuerySet[Account], now: datetime | None = None) -> list[Clock]:
    """Each active account's review clock, overdue ones first."""
    now = now or timezone.now()
    active = list(accounts.filter(status=AccountStatus.ACTIVE).select_related("agency"))
    # Two small grouped queries, each answered from an index (one join of accounts with
    # every item and review would read the whole inbox).
    last = dict(AccountReview.objects.filter(account__in=active).values("account")
                .annotate(at=Max("reviewed_at")).values_list("account", "at"))
    waiting = dict(InboxEntry.objects.filter(account__in=active, state=InboxState.NEW)
                   .values("account").annotate(n=Count("pk")).values_list("account", "n"))
    found = []
    for account in active:
        due = (last.get(account.pk) or account.registered_at) + review_period()
        found.append(Clock(account, last.get(account.pk), due, now > due,
                           waiting.get(account.pk, 0)))
    return sorted(found, key=lambda c: (not c.overdue, c.due_at))


@transaction.atomic
def mark_reviewed(actor: Person, account: Account, now: datetime | None = None) -> AccountReview:
    """A moderator has gone through the account's inbox: the new items are reviewed and
    the clock starts again."""
    now = now or timezone.now()
    waiting = InboxEntry.objects.filter(account=account, captured_at__lte=now)
    seen = waiting.filter(state=InboxState.NEW).update(state=InboxState.REVIEWED, reviewed_at=now)
    waiting.filter(reviewed_at__isnull=True).update(reviewed_at=now)
    review = AccountReview.objects.create(account=account, reviewer=actor, reviewed_at=now,
                                          items_seen=seen)
    audit.record(actor, "inbox.account_reviewed", account, agency_id=account.agency_id,
                 changes={"items_reviewed": [None, seen]})
    return review


def _recipients(account: Account) -> list[str]:
    people = notify.people_with_role(account.agency, Role.MODERATOR)
    contact = account.agency.central_contact
    return notify.addresses([*people, *([contact] if contact else [])])


def send_overdue_alerts(now: datetime | None = None) -> list[OverdueAlert]:
    """E-mail each overdue account's moderators and central contact, once per lapse,
    however many workers run this at once: the alert's row (one per account and lapse)
    is written first, and only the worker that wrote it sends the mail, after commit."""
    sent = []
    for clock in clocks(Account.objects.all(), now):
        if not clock.overdue or OverdueAlert.objects.filter(account=clock.account,
                                                            due_at=clock.due_at).exists():
            continue
        recipients = _recipients(clock.account)
        try:
            with transaction.atomic():
                alert = OverdueAlert.objects.create(account=clock.account, due_at=clock.due_at,
                                                    recipients=recipients)
                notify.send(f"Overdue: {clock.account.handle} has not been reviewed",
                            f"The inbox of {clock.account} was due for its daily review (P21) "
                            f"at {timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}. "
                            f"{clock.new_items} item(s) are waiting.\n", recipients)
        except IntegrityError:
            continue  # another worker alerted this lapse a moment ago
        sent.append(alert)
    return sent


@dataclass(frozen=True)
class CoverageRow:
    account: Account
    days: list[tuple[date, int]]  # (day, reviews that day)


def _last_days(days: int, today: date | None) -> tuple[list[date], datetime]:
    """The last `days` days, oldest first, ending today, and when the first one began."""
    today = today or timezone.localdate()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    return span, timezone.make_aware(datetime.combine(span[0], datetime.min.time()))


def coverage(accounts: QuerySet[Account], days: int = 14,
             today: date | None = None) -> tuple[list[date], list[CoverageRow]]:
    """Reviews per account per day over the last `days` days (for the chart)."""
    span, start = _last_days(days, today)
    counts: dict[tuple[int, date], int] = {}
    for account_id, at in AccountReview.objects.filter(
            account__in=accounts, reviewed_at__gte=start).values_list("account_id", "reviewed_at"):
        key = (account_id, timezone.localtime(at).date())
        counts[key] = counts.get(key, 0) + 1
    rows = [CoverageRow(a, [(d, counts.get((a.pk, d), 0)) for d in span])
            for a in accounts.filter(status=AccountStatus.ACTIVE)]
    return span, rows


def first_review_hours(accounts: QuerySet[Account], days: int = 14,
                       today: date | None = None) -> list[tuple[date, float | None, int]]:
    """(day, median hours from capture to first review, items) for items captured each day."""
    span, start = _last_days(days, today)
    waits: dict[date, list[float]] = {}
    for captured, reviewed in InboxEntry.objects.filter(
            account__in=accounts, captured_at__gte=start, reviewed_at__isnull=False) \
            .values_list("captured_at", "reviewed_at"):
        if reviewed is None:
            continue
        day = timezone.localtime(captured).date()
        waits.setdefault(day, []).append(max(0.0, (reviewed - captured).total_seconds() / 3600))
    return [(d, statistics.median(waits[d]) if d in waits else None, len(waits.get(d, [])))
            for d in span]
