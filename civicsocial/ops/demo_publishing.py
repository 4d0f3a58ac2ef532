"""The demo city's publishing (issue 19): in each agency the demo makes compliant, an
approver joins the editor; a month of sent posts with their approvals, posts coming up
in the calendar, drafts waiting at each step of the queue, one sent back with a reason,
one still being written; and one post "made outside Civic Social" (a phone app) that the
archive flagged, with its suspected incident for ODS.

The month behind is written as it would have been recorded (drafts, approvals bound to
their content hash, sent posts); everything from today on goes through the services, so
the gates (P2, P4, P14, P20) are checked as they are for a person."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicsocial.ops.demo_city import AGENCIES, _grant, _person
from civicsocial.ops.demo_comments import city_post
from civicsocial.publishing import approvals, compose
from civicsocial.publishing.matching import flag_item
from civicsocial.publishing.models import Approval, Decision, Draft, DraftStatus, Route, Target, TargetState
from civicsocial.records.archive import archive_captures
from civicsocial.records.capture import parse_capture
from civicsocial.records.models import ArchivedItem
from civicsocial.registry import services
from civicsocial.registry.gates import account_problems
from civicsocial.registry.models import Account, AccountStatus, Agency, Person, PersonKind, Role

COMPLIANT = [slug for slug, _, _, compliant in AGENCIES if compliant]
HISTORY_DAYS = 30
LIVE_PLATFORMS = ("bluesky", "mastodon")


def load_demo_posts(rng: random.Random) -> int:
    """Publishing for the compliant agencies (once: nothing when the approvers exist); how
    many drafts."""
    if Person.objects.filter(username__endswith="-approver").exists():
        return 0
    made = 0
    for agency in Agency.objects.filter(slug__in=COMPLIANT).order_by("slug"):
        # Accounts our adapters can publish to first: the live demo sends their posts for real.
        accounts = sorted((a for a in agency.accounts.filter(status=AccountStatus.ACTIVE).order_by("pk")
                           if not account_problems(a)), key=lambda a: a.platform not in LIVE_PLATFORMS)
        if not accounts:
            continue
        people = _publishing_staff(agency, accounts)
        made += _history(rng, agency, accounts, people)
        made += _coming_up(rng, accounts, people)
    _outside_post()
    return made


def _publishing_staff(agency: Agency, accounts: list[Account]) -> dict[str, Person]:
    """The editor, a new approver and counsel, trained and authorized for the accounts (P4)."""
    ods = Person.objects.get(username="ods")
    approver = _person(f"{agency.slug}-approver", "Avery", agency.acronym or agency.slug,
                       f"{agency.slug}-approver@{agency.slug}.nyc.gov", PersonKind.EMPLOYEE, "Approver")
    _grant(ods, approver, agency, Role.APPROVER)
    people: dict[str, Person] = {role: agency.role_assignments.get(role=role).person
                                 for role in (Role.EDITOR, Role.COUNSEL)}
    people[Role.APPROVER] = approver
    for person in people.values():
        if services.current_training(person) is None:
            services.record_training(ods, person, timezone.localdate() - timedelta(days=60))
        for account in accounts:
            if not account.authorizations.filter(person=person, revoked_at__isnull=True).exists():
                services.authorize(ods, person, account)
    return people


def _history(rng: random.Random, agency: Agency, accounts: list[Account], people: dict[str, Person]) -> int:
    """A month of sent posts, one or two a day, each approved before it went out."""
    now = timezone.now()
    made = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        for _ in range(rng.choice((1, 1, 2))):
            account = rng.choice(accounts)
            sent = (now - timedelta(days=days_ago)).replace(hour=rng.choice((9, 11, 14, 16)), minute=0)
            text = city_post(rng)
            draft = Draft.objects.create(
                agency=agency, author=people[Role.EDITOR], text=text, send_at=sent, status=DraftStatus.SENT,
                content_hash=compose.hash_content(text, "", "original", "", "", [account.pk], sent, []),
                created_at=sent - timedelta(days=2), updated_at=sent, submitted_at=sent - timedelta(days=2),
                approved_at=sent - timedelta(days=1))
            Approval.objects.create(draft=draft, revision=1, step=1, approver=people[Role.APPROVER],
                                    decision=Decision.APPROVED, content_hash=draft.content_hash,
                                    decided_at=sent - timedelta(days=1))
            Target.objects.create(draft=draft, account=account, state=TargetState.SENT, route=Route.VENDOR,
                                  vendor_message_id=str(4138000000 + draft.pk), due_at=sent, sent_at=sent,
                                  platform_id=f"demo:{uuid.uuid4()}")
            made += 1
    return made


def _coming_up(rng: random.Random, accounts: list[Account], people: dict[str, Person]) -> int:
    """Approved posts in the weeks ahead, and drafts at each point of review."""
    editor, approver = people[Role.EDITOR], people[Role.APPROVER]
    approvals.set_chain(Person.objects.get(username="ods"), accounts[0],
                        [(Role.APPROVER, []), (Role.COUNSEL, [])])
    tomorrow = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    made = 0
    live = [a for a in accounts if a.platform in LIVE_PLATFORMS] or accounts
    for n in range(6):  # on an account the live demo's vendor serves, when the agency has one
        draft = _submitted(editor, live[-1], city_post(rng), tomorrow + timedelta(days=3 * n))
        _approve_every_step(draft)
        made += 1
    _submitted(editor, accounts[0], city_post(rng), tomorrow + timedelta(days=2))  # waits at step 1
    at_step_two = _submitted(editor, accounts[0], city_post(rng), tomorrow + timedelta(days=4))
    approvals.decide(approver, at_step_two, True, at_step_two.content_hash)
    sent_back = _submitted(editor, accounts[0], "Free flu shots all week!!! Walk in anytime",
                           tomorrow + timedelta(days=5))
    approvals.decide(approver, sent_back, False, sent_back.content_hash,
                     "Name the sites and hours, and link the city's flu shot page.")
    compose.create_draft(editor, compose.DraftInput(city_post(rng), [accounts[0]]))
    return made + 4


def _submitted(editor: Person, account: Account, text: str, send_at: datetime) -> Draft:
    draft = compose.create_draft(editor, compose.DraftInput(text, [account], send_at=send_at))
    return approvals.submit(editor, draft)


def _outside_post() -> None:
    """One post on DOT's first account that no draft produced, captured this morning."""
    target = Target.objects.filter(account__agency__slug="dot", state=TargetState.SENT).select_related(
        "account").order_by("sent_at").first()
    if target is None:
        return
    account = target.account
    now = datetime.now(UTC)
    item_id = f"demo:outside-{uuid.uuid4()}"
    archive_captures([parse_capture({
        "platform": account.platform, "account": account.handle, "item_id": item_id, "kind": "post",
        "author": account.handle, "text": "Road closed on 5th Ave all weekend, use the subway lol",
        "created_at": (now - timedelta(hours=3)).isoformat(),
        "captured_at": (now - timedelta(hours=2)).isoformat(),
        "raw": {"id": item_id, "source": "the platform's phone app"}})])
    flag_item(ArchivedItem.objects.select_related("stream__account__agency").get(platform_id=item_id))


def publish_through_drafts(handle: str, text: str, send_at: datetime | None = None) -> bool:
    """A demo post on the live network as the city makes one: drafted by the agency's
    editor, approved, sent by the worker (at `send_at`, through the vendor, or at once).
    False when the account's agency does not publish through Civic Social in the demo."""
    account = Account.objects.filter(platform="bluesky", handle__iexact="@" + handle.lstrip("@")) \
        .select_related("agency").first()
    if account is None or account.agency.slug not in COMPLIANT or account_problems(account):
        return False
    editor = account.agency.role_assignments.filter(role=Role.EDITOR).first()
    if editor is None:
        return False
    try:
        draft = _submitted(editor.person, account, text, send_at) if send_at else approvals.submit(
            editor.person, compose.create_draft(editor.person, compose.DraftInput(text, [account])))
        _approve_every_step(draft)
    except (ValidationError, PermissionDenied, StopIteration):  # a gate the demo left open: no post
        return False
    return True


def _approve_every_step(draft: Draft) -> None:
    """Each step of the draft's chain decided by someone of the agency it admits."""
    deciders = [a.person for a in draft.agency.role_assignments.filter(
        role__in=(Role.APPROVER, Role.COUNSEL, Role.AGENCY_ADMIN)).select_related("person")]
    for step in range(approvals.next_step(draft), approvals.steps_needed(draft) + 1):
        decider = next(p for p in deciders if not approvals.why_not_approver(p, draft, step))
        approvals.decide(decider, draft, True, draft.content_hash)
