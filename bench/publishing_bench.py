"""Publishing benchmark (part of `make bench`, issue 19):

- lateness: POSTS (1,000) approved posts on 50 accounts all due in the same minute, sent by
  the sending duty (`dispatch`, one worker) to a Mastodon-API server on loopback; for each
  post, the time from its due moment to the platform accepting it. The baseline is the bare
  adapter making the same 1,000 posts in a row, timed the same way from the start. Ratio:
  our p95 over the bare p95 (what the claims, gates, checks and records cost).
- the approval queue and the calendar with DRAFTS (10,000) drafts in the agency over a year
  (half sent, half waiting for approval): p95 of the whole request (goal: under 150 ms)
  against /healthz (what the framework costs).

Usage: python bench/publishing_bench.py   (POSTS, DRAFTS to change the sizes)
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from inbox_bench import p95, page_times  # bench/ is on the path: this script's folder

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-publishing"
ACCOUNTS = 50


def city(server: Any) -> tuple[Any, list[Any], dict[str, Any]]:
    """An agency with 50 Mastodon accounts ready to publish (P2, P4, P20), its people."""
    from django.utils import timezone

    from civicsocial.registry import roles, services
    from civicsocial.registry.models import Agency, Role
    from civicsocial.testing import make_person

    ods = make_person("bench-ods")
    roles.grant_role(None, ods, None, Role.ODS_ADMIN)
    agency = Agency.objects.create(name="Bench", slug="bench", email_domains="bench.nyc.gov")
    people = {role: make_person(f"bench-{role}") for role in (Role.EDITOR, Role.APPROVER, Role.VIEWER)}
    for role, person in people.items():
        roles.grant_role(None, person, agency, role)
        services.record_training(ods, person, timezone.localdate() - timedelta(days=5))
    terms = services.record_terms(ods, "mastodon", "1", timezone.localdate() - timedelta(days=10))
    services.record_tos_review(ods, agency, terms, timezone.localdate())
    accounts = []
    for n in range(ACCOUNTS):
        application = services.create_application(ods, {
            "agency": agency, "platform": "mastodon", "handle": f"@city{n}",
            "url": f"{server.base_url}/@city{n}",
            "account_type": "agency", "owner": None, "topic_limited": False, "topic_statement": "",
            "sensitive_audience": False, "login_identity": "s@bench.nyc.gov", "justification": "Bench.",
            "continuity_plan": "Two admins."})
        account = services.decide_application(ods, application, True, "ok").account
        for person in people.values():
            services.authorize(ods, person, account)
        os.environ[f"CIVICSOCIAL_SECRET_MASTODON_CITY{n}"] = f"city{n}-token"
        accounts.append(account)
    return agency, accounts, people


def lateness(server: Any, accounts: list[Any], people: dict[str, Any], posts: int) -> tuple[float, float]:
    """(our p95 lateness, the bare adapter's), in seconds."""
    from django.utils import timezone

    from civicsocial.platforms.adapters.mastodon import MastodonAdapter
    from civicsocial.publishing import approvals, compose
    from civicsocial.publishing.models import Route, Target, TargetState
    from civicsocial.publishing.sending import dispatch
    from civicsocial.registry.models import Role

    editor, approver = people[Role.EDITOR], people[Role.APPROVER]
    for n in range(posts):
        draft = approvals.submit(editor, compose.create_draft(editor, compose.DraftInput(
            f"Bench notice {n}", [accounts[n % len(accounts)]], send_at=timezone.now() + timedelta(days=1))))
        approvals.decide(approver, draft, True, draft.content_hash)
        if n % 100 == 99:
            print(f"  {n + 1:,} posts approved", file=sys.stderr)
    due = timezone.now()  # the minute comes: every post is due now, through our own adapter
    Target.objects.update(due_at=due, route=Route.DIRECT)
    dispatch()
    sent = list(Target.objects.filter(state=TargetState.SENT).values_list("sent_at", flat=True))
    assert len(sent) == posts, f"{len(sent)} of {posts} sent"
    ours = [(s - due).total_seconds() for s in sent]
    bare_adapters = [MastodonAdapter(server.base_url, f"@city{n}", f"city{n}-token")
                     for n in range(len(accounts))]
    started, bare = time.perf_counter(), []
    for n in range(posts):
        bare_adapters[n % len(accounts)].publish(f"Bare notice {n}", f"bare-{n}")
        bare.append(time.perf_counter() - started)
    return p95(ours), p95(bare)


def many_drafts(agency: Any, accounts: list[Any], people: dict[str, Any], n: int) -> None:
    """n drafts over a year, as an agency's history grows: half sent in the six months
    behind, half waiting for approval in the six months ahead (bulk: this is setup)."""
    from django.utils import timezone

    from civicsocial.publishing.models import Draft, DraftStatus, Target, TargetState
    from civicsocial.registry.models import Role

    now = timezone.now()
    moments = [now + timedelta(hours=(i - n // 2) * 24 * 182 * 2 / n + 1) for i in range(n)]
    drafts = Draft.objects.bulk_create([
        Draft(agency=agency, author=people[Role.EDITOR], text=f"Queued notice {i}", content_hash=f"{i:064x}",
              status=DraftStatus.SENT if at < now else DraftStatus.IN_REVIEW,
              submitted_at=at - timedelta(days=2), send_at=at)
        for i, at in enumerate(moments)], batch_size=2000)
    Target.objects.bulk_create([
        Target(draft=d, account=accounts[i % len(accounts)], due_at=d.send_at,
               state=TargetState.SENT if d.status == DraftStatus.SENT else TargetState.WAITING,
               sent_at=d.send_at if d.status == DraftStatus.SENT else None)
        for i, d in enumerate(drafts)], batch_size=2000)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from archive_bench import fresh_django

    fresh_django(WORK)
    from mastodon_mock.config import SeedAccount, SeedConfig
    from mastodon_mock.testing.server import MockServer

    from civicsocial.registry.models import Role
    from civicsocial.testing import logged_in

    posts, drafts = int(os.environ.get("POSTS", "1000")), int(os.environ.get("DRAFTS", "10000"))
    seed = SeedConfig(accounts=[SeedAccount(username=f"city{n}", display_name=f"City {n}",
                                            access_token=f"city{n}-token") for n in range(ACCOUNTS)])
    server = MockServer(seed=seed).start()
    try:
        server.config.domain = f"127.0.0.1:{server.port}"
        server.config.url_scheme = "http"
        print("A city with 50 accounts...", file=sys.stderr)
        agency, accounts, people = city(server)
        print(f"{posts:,} posts due in the same minute...", file=sys.stderr)
        ours, bare = lateness(server, accounts, people, posts)
        print(f"{drafts:,} drafts over a year...", file=sys.stderr)
        many_drafts(agency, accounts, people, drafts)
    finally:
        server.stop()
    from django.test import Client

    approver = logged_in(people[Role.APPROVER], Client(HTTP_HOST="localhost"))
    viewer = logged_in(people[Role.VIEWER], Client(HTTP_HOST="localhost"))
    base = p95(page_times(viewer, "/healthz")) * 1000
    print(f"\nPublishing benchmark: {posts:,} posts due at once on {ACCOUNTS} accounts (one worker, a "
          f"Mastodon-API server on loopback), {drafts:,} drafts over a year (SQLite)\n")
    print("| measure | Civic Social | baseline | ratio | goal |\n|---|---|---|---|---|")
    print(f"| p95 lateness, due to accepted | {ours:.1f} s | {bare:.1f} s (bare adapter, same posts) | "
          f"{ours / bare:.2f} | as close to 1 as the gates allow |")
    for label, client, url in (("approval queue", approver, "/posts/queue/"),
                               ("calendar, month", viewer, "/posts/calendar/"),
                               ("calendar, week", viewer, "/posts/calendar/?view=week")):
        ms = p95(page_times(client, url)) * 1000
        print(f"| {label} p95 | {ms:.1f} ms | {base:.1f} ms (/healthz) | {ms / base:.1f}x | < 150 ms |")


if __name__ == "__main__":
    main()
