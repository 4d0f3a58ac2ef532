"""The sending duty, run by the Huey worker every minute and at once when a draft is
released; any number of workers may run it together (each post is claimed)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from civicsocial.publishing.sending import dispatch


@db_periodic_task(crontab(minute="*"))
def dispatch_due() -> None:
    dispatch()


@db_task()
def dispatch_now() -> None:
    dispatch()


@db_periodic_task(crontab(minute="*/5"))
def flag_outside() -> None:
    """P5, P14: official posts no approved draft produced."""
    from civicsocial.publishing.matching import flag_outside_posts

    flag_outside_posts()
