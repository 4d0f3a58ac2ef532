"""The branding audit's sweep, run by the Huey worker (`civicsocial worker`): every five
minutes, audit each profile snapshot the audit after capture missed (P8)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from civicsocial.duties.leases import one_at_a_time
from civicsocial.policy.branding import audit_unaudited


@db_periodic_task(crontab(minute="*/5"))
@one_at_a_time("audit-profiles")
def audit_profiles() -> None:
    audit_unaudited()
