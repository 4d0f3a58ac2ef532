"""The demo city: 11 agencies, 60+ people, 40+ accounts, applications in every state,
three agencies fully compliant and the rest with realistic gaps.

Everything goes through the same services a person would use, so the demo's audit
log and compliance report are real. Deterministic (seeded), loaded in one transaction.
"""

from __future__ import annotations

import base64
import io
import random
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry import roles, services
from civicsocial.registry.models import (
    Account,
    AccountType,
    Agency,
    Application,
    Person,
    PersonKind,
    Platform,
    PlatformTerms,
    PolicyElement,
    Role,
    RoleGrant,
)

DEMO_PASSWORD = "harbor-lantern-pigeon-1898"

AGENCIES = [  # slug, name, acronym, compliant
    ("dot", "Department of Transportation", "DOT", True),
    ("parks", "Department of Parks and Recreation", "NYC Parks", True),
    ("nycem", "Emergency Management", "NYCEM", True),
    ("dsny", "Department of Sanitation", "DSNY", False),
    ("fdny", "Fire Department", "FDNY", False),
    ("health", "Department of Health and Mental Hygiene", "DOHMH", False),
    ("doe", "Department of Education", "DOE", False),
    ("dep", "Department of Environmental Protection", "DEP", False),
    ("dob", "Department of Buildings", "DOB", False),
    ("aging", "Department for the Aging", "NYC Aging", False),
    ("dcwp", "Department of Consumer and Worker Protection", "DCWP", False),
]
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hector", "Ines", "Jamal",
         "Keiko", "Luis", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tara"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Feld", "Garcia", "Hughes", "Ito",
        "Jones", "Kaur", "Lopez", "Morales", "Nguyen", "Okafor", "Park", "Rivera", "Singh"]
STAFF_ROLES = [Role.AGENCY_ADMIN, Role.COUNSEL, Role.MODERATOR, Role.RECORDS_OFFICER,
               Role.EDITOR]
PLATFORMS = [Platform.BLUESKY, Platform.MASTODON, Platform.FACEBOOK, Platform.INSTAGRAM,
             Platform.X, Platform.YOUTUBE]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    second_factor: bool


DEMO_LOGINS = [
    DemoLogin("ods", "ODS admin (citywide)", True),
    DemoLogin("dot-agency-admin", "Agency admin, DOT (compliant)", True),
    DemoLogin("dot-counsel", "Agency counsel, DOT", True),
    DemoLogin("dot-moderator", "Moderator, DOT", False),
    DemoLogin("dot-editor", "Editor, DOT (drafts posts)", False),
    DemoLogin("dot-approver", "Approver, DOT (first step of the approval chain)", False),
    DemoLogin("dsny-agency-admin", "Agency admin, DSNY (not compliant)", True),
    DemoLogin("dsny-counsel", "Agency counsel, DSNY", True),
    DemoLogin("dsny-moderator", "Moderator, DSNY", False),
]


def demo_totp_key(username: str) -> str:
    """A fixed per-user key so `civicsocial demo_code USER` can print the current code.
    Demo only: real devices get random keys at enrolment."""
    return (username.encode().hex() * 4)[:40]


def already_loaded() -> bool:
    return Agency.objects.filter(slug="dot").exists()


@transaction.atomic
def load_demo_city() -> bool:
    """Create the demo city; False (and nothing changed) when it is already loaded."""
    if already_loaded():
        return False
    rng = random.Random(2026)  # noqa: S311 - a repeatable demo, not a secret
    today = timezone.localdate()
    ods = _person("ods", "Odette", "Stroud", "ods@digital.nyc.gov", PersonKind.EMPLOYEE,
                  "Director of Digital Strategy")
    roles.grant_role(None, ods, None, Role.ODS_ADMIN)  # as `create_ods_admin` would
    ods2 = _person("ods-analyst", "Omar", "Sato", "analyst@digital.nyc.gov", PersonKind.EMPLOYEE,
                   "Social media analyst")
    roles.grant_role(None, ods2, None, Role.ODS_ADMIN)
    _enrol(ods)
    effective = today - timedelta(days=90)
    terms: dict[str, PlatformTerms] = {
        p: services.record_terms(ods, p, f"{today.year}-01", effective, f"https://example.org/{p}/terms")
        for p in PLATFORMS}
    names = iter((f, ln) for ln in LAST for f in FIRST)
    for index, (slug, name, acronym, compliant) in enumerate(AGENCIES):
        agency = Agency.objects.create(name=name, slug=slug, acronym=acronym,
                                       email_domains=f"{slug}.nyc.gov")
        audit_reason = "Demo city"
        staff = _staff(ods, agency, names, compliant, index)
        admin = staff[Role.AGENCY_ADMIN]
        counsel = staff[Role.COUNSEL]
        if compliant or index % 3:
            services.set_central_contact(ods, agency, admin, audit_reason)
        _policy(admin, counsel, agency, compliant, index)
        accounts = _accounts(ods, admin, counsel, agency, compliant, index, rng)
        _profiles(accounts)
        _training(admin, agency, staff, accounts, compliant, index)
        for platform in {a.platform for a in accounts}:
            if compliant or (index + len(platform)) % 2:
                services.record_tos_review(counsel, agency, terms[platform],
                                           today - timedelta(days=30))
        if compliant or index % 4 == 0:
            _enrol(admin)
            _enrol(counsel)
    _open_applications(ods)
    return True


@cache
def _demo_password_hash() -> str:
    # One Argon2 hash for every demo person: hashing 71 times costs seconds.
    return make_password(DEMO_PASSWORD)


def _person(username: str, first: str, last: str, email: str, kind: str, title: str = "") -> Person:
    return Person.objects.create(username=username, first_name=first, last_name=last,
                                 email=email, kind=kind, title=title,
                                 password=_demo_password_hash())


def _enrol(person: Person) -> None:
    TOTPDevice.objects.get_or_create(user=person, name="Demo authenticator",
                                     defaults={"key": demo_totp_key(person.username),
                                               "confirmed": True})


def _grant(ods: Person, person: Person, agency: Agency, role: str) -> None:
    """As ODS would: a deciding role is confirmed by a second ODS admin (issue 12)."""
    grant = roles.grant_role(ods, person, agency, role)
    if grant.status == RoleGrant.Status.PENDING:
        roles.confirm_grant(Person.objects.get(username="ods-analyst"), grant)


def _staff(ods: Person, agency: Agency, names: object, compliant: bool,
           index: int) -> dict[str, Person]:
    staff: dict[str, Person] = {}
    roles = STAFF_ROLES if compliant or index % 2 else STAFF_ROLES[:3]  # some lack a records officer
    for role in roles:
        first, last = next(names)  # type: ignore[call-overload]
        username = f"{agency.slug}-{role.replace('_', '-')}"
        person = _person(username, first, last, f"{username}@{agency.slug}.nyc.gov",
                         PersonKind.EMPLOYEE, Role(role).label)
        _grant(ods, person, agency, role)
        staff[role] = person
    # P3: not only employees: a vendor and a volunteer in most agencies.
    for kind in (PersonKind.VENDOR, PersonKind.VOLUNTEER):
        first, last = next(names)  # type: ignore[call-overload]
        username = f"{agency.slug}-{kind}"
        person = _person(username, first, last, f"{username}@example.com", kind, str(kind.label))
        _grant(ods, person, agency, Role.VIEWER)
    return staff


def _policy(admin: Person, counsel: Person, agency: Agency, compliant: bool, index: int) -> None:
    if not compliant and index % 3 == 0:
        return  # no policy on file at all
    elements = [e.value for e in PolicyElement]
    if not compliant:
        elements = elements[: 5 + index % 3]
    policy = services.save_agency_policy(admin, agency, f"{agency.acronym} Social Media Policy",
                                         elements, f"https://{agency.slug}.nyc.gov/social-policy")
    if compliant or index % 2:
        services.approve_agency_policy(counsel, policy, timezone.localdate() - timedelta(days=60))


def _accounts(ods: Person, admin: Person, counsel: Person, agency: Agency, compliant: bool,
              index: int, rng: random.Random) -> list[Account]:
    accounts = []
    platforms = rng.sample(PLATFORMS, 4)
    for n, platform in enumerate(platforms):
        handle, url = _handle(agency.slug, platform, ["", "news", "alerts", "events"][n])
        data = {
            "agency": agency, "platform": platform, "handle": handle,
            "url": url, "account_type": AccountType.AGENCY,
            "owner": None, "topic_limited": n == 3, "sensitive_audience": agency.slug in ("health", "doe"),
            "topic_statement": "Events and programs only" if n == 3 else "",
            "login_identity": f"social@{agency.slug}.nyc.gov",
            "justification": f"{agency.name} needs a {platform} presence to reach residents "
                             "where they already are.",
            "continuity_plan": "Owned by the agency's digital unit; two admins at all times; "
                               "credentials in the city vault.",
        }
        if not compliant and n == 3:
            # Registered from the legacy list, no application yet: fails P2.
            data["login_identity"] = f"{agency.slug}.intern@gmail.com" if index % 2 else \
                data["login_identity"]
            data.pop("agency")
            account = services.register_existing_account(ods, agency, data, "Legacy list import")
        else:
            account = _approved(ods, admin, data)
        accounts.append(account)
    if agency.slug in ("dot", "fdny"):
        official = agency.role_assignments.get(role=Role.AGENCY_ADMIN).person
        handle, url = _handle(f"{agency.slug}commissioner", Platform.BLUESKY, "")
        data = {"agency": agency, "platform": Platform.BLUESKY, "handle": handle, "url": url,
                "account_type": AccountType.INDIVIDUAL, "owner": official, "topic_limited": False,
                "topic_statement": "", "sensitive_audience": False,
                "login_identity": f"commissioner@{agency.slug}.nyc.gov",
                "justification": "The commissioner speaks directly to residents on street safety.",
                "continuity_plan": "Public property: passes to the next commissioner (P10)."}
        accounts.append(_approved(ods, admin, data))
    return accounts


def _handle(name: str, platform: str, purpose: str) -> tuple[str, str]:
    """(handle, address): Bluesky handles are domains (dot-news.nyc.gov), which the live
    demo's local network hosts; elsewhere a name (@dot_news)."""
    if platform == Platform.BLUESKY:
        domain = f"{name}-{purpose}.nyc.gov" if purpose else f"{name}.nyc.gov"
        return f"@{domain}", f"https://bsky.app/profile/{domain}"
    name = f"{name}_{purpose}" if purpose else f"{name}nyc"
    return f"@{name}", f"https://{platform}.example/{name}"


def demo_avatar(branded: bool, seed: int) -> str:
    """A profile picture (base64 PNG): the city's mark on the agency's colour, or not."""
    from PIL import Image, ImageDraw

    from civicsocial.policy.logo_reference import draw_reference_logo

    colour = ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 30)
    picture = Image.new("RGB", (256, 256), colour)
    if branded:
        picture.paste(draw_reference_logo(200), (28, 28))
    else:
        ImageDraw.Draw(picture).ellipse((60, 60, 196, 196), fill="white")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


@dataclass(frozen=True)
class DemoProfile:
    name: str
    bio: str
    branded: bool


def demo_profile(account: Account) -> DemoProfile:
    """The demo's profile of an account: a compliant agency's accounts are branded (P8);
    a non-compliant agency's first account is not."""
    agency = account.agency
    compliant = any(slug == agency.slug and ok for slug, _, _, ok in AGENCIES)
    first = Account.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True).first()
    if compliant or account.pk != first:
        return DemoProfile(f"NYC {agency.acronym or agency.name}",
                           f"Official account of {agency.name}. "
                           "User policy: https://www.nyc.gov/socialmediapolicy", True)
    return DemoProfile(agency.name, f"News from {agency.name}", False)


def _profiles(accounts: list[Account]) -> None:
    """A captured profile of every account, audited for branding (P8)."""
    from civicsocial.platforms.adapters.base import profile_text
    from civicsocial.policy.branding import audit_new_profiles
    from civicsocial.records.archive import archive_captures
    from civicsocial.records.capture import parse_capture

    now = timezone.now().isoformat()
    for account in accounts:
        profile = demo_profile(account)
        capture = parse_capture({
            "platform": account.platform, "account": account.handle,
            "item_id": f"{account.url}#profile", "kind": "profile", "author": account.handle,
            "text": profile_text(profile.name, profile.bio, [], profile.branded),
            "created_at": now, "captured_at": now, "url": account.url,
            "media": [{"url": f"{account.url}/avatar.png", "content_type": "image/png",
                       "data": demo_avatar(profile.branded, account.pk)}],
            "raw": {"profile": {"name": profile.name, "bio": profile.bio, "links": [],
                                "verified": profile.branded}}})
        archive_captures([capture])
        audit_new_profiles(account)


def _approved(ods: Person, admin: Person, data: dict[str, Any]) -> Account:
    application = services.create_application(admin, data)
    services.decide_application(ods, application, True, "Unique need and continuity plan shown.")
    assert application.account is not None  # approval registers it
    return application.account


def _training(admin: Person, agency: Agency, staff: dict[str, Person], accounts: list[Account],
              compliant: bool, index: int) -> None:
    today = timezone.localdate()
    for role in (Role.EDITOR, Role.MODERATOR):
        person = staff.get(role)
        if person is None:
            continue
        services.record_training(admin, person, today - timedelta(days=100))
        for account in accounts[:2]:
            services.authorize(admin, person, account)
        if not compliant and index % 2 == 0 and role == Role.MODERATOR:
            # The training lapsed after authorization: P4 fails.
            person.trainings.update(completed_on=today - timedelta(days=500),
                                    expires_on=today - timedelta(days=135))
    for assignment in agency.role_assignments.exclude(role__in=[Role.EDITOR, Role.MODERATOR]) \
            .select_related("person"):
        if compliant or assignment.person.kind == PersonKind.EMPLOYEE:
            services.acknowledge_warning(assignment.person, agency)


def _open_applications(ods: Person) -> None:
    """Applications in every state besides approved."""
    dsny = Agency.objects.get(slug="dsny")
    dsny_admin = dsny.role_assignments.get(role=Role.AGENCY_ADMIN).person
    base = {"platform": Platform.TIKTOK, "account_type": AccountType.AGENCY, "owner": None,
            "topic_limited": False, "topic_statement": "", "sensitive_audience": False}

    def apply(agency: Agency, actor: Person, handle: str, submit: bool = True,
              **extra: object) -> Application:
        data = {**base, "agency": agency, "handle": handle,
                "url": f"https://tiktok.example/{handle.lstrip('@')}",
                "login_identity": f"social@{agency.slug}.nyc.gov",
                "justification": "Short videos reach younger residents about collection days.",
                "continuity_plan": "", **extra}
        return services.create_application(actor, data, submit=submit)

    denied = apply(dsny, dsny_admin, "@dsny_clips")
    services.decide_application(ods, denied, False, "No continuity plan: who runs it next year?")
    data = {f: getattr(denied, f) for f in services.APPLICATION_FIELDS}
    data["continuity_plan"] = "Two press-office staff; handover checklist kept in the unit wiki."
    services.create_application(dsny_admin, data, previous=denied)
    apply(dsny, dsny_admin, "@dsny_draft", submit=False)
    withdrawn = apply(dsny, dsny_admin, "@dsny_old")
    services.withdraw_application(dsny_admin, withdrawn, "Merged into the main account.")
    fdny = Agency.objects.get(slug="fdny")
    fdny_admin = fdny.role_assignments.get(role=Role.AGENCY_ADMIN).person
    apply(fdny, fdny_admin, "@smokealarmsave", account_type=AccountType.CAMPAIGN,
          justification="Unbranded smoke-alarm campaign aimed at people who ignore official "
                        "accounts.", continuity_plan="Ends after 6 months; archived and retired.")
