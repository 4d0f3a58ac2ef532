"""Background capture, run by the Huey worker (`civicsocial worker`): every minute,
capture the accounts whose interval (default 5 minutes) has passed. One run at a time:
a slow platform never stacks runs on top of each other."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from civicsocial.duties.leases import one_at_a_time
from civicsocial.platforms.capture import capture_account, capture_due
from civicsocial.registry.models import Account


@db_periodic_task(crontab(minute="*"))
@one_at_a_time("capture-due-accounts")
def capture_due_accounts() -> None:
    capture_due()


@db_task()
def capture_accounts_now(accounts: list[int]) -> None:
    """A webhook said these accounts have something new (each run takes the account's lease)."""
    for account in Account.objects.filter(pk__in=accounts):
        capture_account(account)
