"""Kill the sending worker (SIGKILL) at random points, start it again, and prove that
every approved post went out exactly once and is recorded as sent: no post lost, none
twice. Real databases of the engine in use (SQLite file or PostgreSQL), separate worker
processes, the local Bluesky network; claims last 2 s here instead of 5 minutes."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest

from civicsocial.passes import postgres_pass_only
from civicsocial.platforms.tests.bluesky import adapter, new_account
from civicsocial.platforms.tests.test_capture_kill import _cli, _env
from civicsocial.records.tests.test_import_kill import rows

POSTS = 40
SETUP = """
from datetime import timedelta
from django.utils import timezone
from civicsocial.publishing import approvals, compose
from civicsocial.registry import roles, services
from civicsocial.registry.models import Agency, Person, Role
ods = Person.objects.create(username="ods")
roles.grant_role(None, ods, None, Role.ODS_ADMIN)
agency = Agency.objects.create(name="Kill Test", slug="kill", email_domains="kill.nyc.gov")
people = {{}}
for role in ("agency_admin", "editor", "approver"):
    people[role] = Person.objects.create(username=f"kill-{{role}}")
    roles.grant_role(None, people[role], agency, role)
application = services.create_application(people["agency_admin"], {{
    "agency": agency, "platform": "bluesky", "handle": "@{handle}", "url": "https://bsky.app/profile/{handle}",
    "account_type": "agency", "owner": None, "topic_limited": False, "topic_statement": "",
    "sensitive_audience": False, "login_identity": "s@kill.nyc.gov", "justification": "Kill test.",
    "continuity_plan": "Two admins."}})
account = services.decide_application(ods, application, True, "ok").account
terms = services.record_terms(ods, "bluesky", "1", timezone.localdate() - timedelta(days=9))
services.record_tos_review(people["agency_admin"], agency, terms, timezone.localdate())
for role in ("editor", "approver"):
    services.record_training(ods, people[role], timezone.localdate() - timedelta(days=3))
    services.authorize(ods, people[role], account)
for n in range({posts}):
    draft = approvals.submit(people["editor"], compose.create_draft(
        people["editor"], compose.DraftInput(f"Kill test notice {{n}}", [account])))
    approvals.decide(people["approver"], draft, True, draft.content_hash)
"""


def test_it_sends_each_post_once_when_the_worker_is_killed(
        tmp_path: Path, migrated_database_urls: tuple[str, str]) -> None:
    handle, password = new_account("sender")
    url, _ = migrated_database_urls
    env = {**_env(url, tmp_path / "var", handle, password), "CIVICSOCIAL_PUBLISHING_LEASE_SECONDS": "2"}
    _cli(env, "shell", "-c", SETUP.format(handle=handle, posts=POSTS))
    rng = random.Random(int(time.time()))
    kills = 0
    for _ in range(6):
        kills += _cli(env, "publishing", "dispatch", kill_after=rng.uniform(1.5, 4.0))
        time.sleep(2.1)  # the killed worker's claim runs out
    _cli(env, "publishing", "dispatch")  # finish what the kills left
    assert kills >= 1, "every pass finished before its kill: send more"
    states = rows(url, "SELECT state, COUNT(*) FROM publishing_target GROUP BY state")
    assert states == [("sent", POSTS)], states
    captures = adapter(handle, password).read_since("").captures
    posted = Counter(c["text"] for c in captures if c["kind"] == "post")
    assert len(posted) == POSTS and max(posted.values()) == 1, posted
    ids = rows(url, "SELECT COUNT(DISTINCT platform_id) FROM publishing_target")
    assert ids == [(POSTS,)]


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
# Sending is claimed with row locks: PostgreSQL, where workers really share the rows.
pytestmark = [pytest.mark.network, pytest.mark.slow, postgres_pass_only]
