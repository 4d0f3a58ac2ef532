"""Background triage, run by the Huey worker every minute: whatever reached the archive
by any path (capture, streams, `archive import`) lands in its account's inbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from civicsocial.duties.leases import one_at_a_time
from civicsocial.inbox.services import triage_new_items


@db_periodic_task(crontab(minute="*"))
@one_at_a_time("triage-new-items")
def triage_new() -> None:
    triage_new_items()


@db_periodic_task(crontab(minute="*/15"))
@one_at_a_time("review-alerts")
def review_alerts() -> None:
    """P21: alert on accounts whose daily review is overdue (once per lapse)."""
    from civicsocial.inbox.review import send_overdue_alerts

    send_overdue_alerts()


@db_periodic_task(crontab(minute="*/15"))
@one_at_a_time("refresh-referrals")
def refresh_311() -> None:
    """P23: bring the status of open 311 requests up to date."""
    from civicsocial.inbox.referral import refresh_referrals

    refresh_referrals()
