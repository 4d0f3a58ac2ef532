"""P3: walk every page and API endpoint as every role and assert allow or deny.

The expectations below are written out by hand, not derived from the permission
matrix, so a wrong matrix entry fails here. A URL added to urls.py without an entry
here fails `test_it_covers_every_url`. Data of agency alpha carries a marker that
must never appear in a response to a person of agency bravo.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import get_resolver

from civicsocial.inbox.models import InboxEntry
from civicsocial.inbox.moderation import propose_removal
from civicsocial.inbox.services import triage_new_items
from civicsocial.incidents.services import report as report_incident
from civicsocial.passes import sqlite_pass_only
from civicsocial.publishing import compose
from civicsocial.records.foil import open_case
from civicsocial.records.models import ArchivedItem, ImportJob, VerificationJob
from civicsocial.records.production import export_case
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry import roles, services
from civicsocial.registry.models import DECIDING_ROLES, AccountType, Role, RoleAssignment, RoleGrant
from civicsocial.registry.permissions import Action, agencies_for
from civicsocial.signin import tokens
from civicsocial.testing import BaseTestCase

MARKER = "zq-alpha-secret"
ALL = "all"  # every logged-in person
ODS, ADMIN, COUNSEL = "ods_admin", "agency_admin", "counsel"
RECORDS, MODERATOR = "records_officer", "moderator"
ARCHIVE = {ODS, ADMIN, COUNSEL, RECORDS, MODERATOR}
FOIL = {ODS, COUNSEL, RECORDS}
INBOX = {ODS, ADMIN, COUNSEL, RECORDS, MODERATOR}
MODERATE = {ODS, ADMIN, MODERATOR}
DECIDE = {COUNSEL}  # P22: the agency's counsel, not even an ODS admin
ALPHA_ALL = "alpha"  # every role at alpha, and ODS
DRAFTERS = {ODS, ADMIN, "editor"}

# name: (path template, who gets 200 on GET). Everyone else: 403 at alpha, 404 at bravo,
# login redirect when anonymous. Templates are filled from the objects made in setUp.
PAGES = {
    "home": ("/", ALL),
    "agency-list": ("/agencies/", ALL),
    "agency-create": ("/agencies/new/", {ODS}),
    "agency-detail": ("/agencies/alpha/", ALPHA_ALL),
    "person-create": ("/agencies/alpha/people/new/", {ODS, ADMIN}),
    "role-add": ("/agencies/alpha/people/{editor}/role/", {ODS, ADMIN}),
    "central-contact": ("/agencies/alpha/central-contact/", {ODS, ADMIN}),
    "policy-edit": ("/agencies/alpha/policy/", {ODS, ADMIN}),
    "policy-approve": ("/agencies/alpha/policy/approve/", {COUNSEL}),
    "tos-review": ("/agencies/alpha/tos-review/", {ODS, ADMIN, COUNSEL}),
    "acknowledge-warning": ("/agencies/alpha/acknowledge/", ALPHA_ALL),
    "account-list": ("/accounts/", ALL),
    "account-detail": ("/accounts/{account}/", ALPHA_ALL),
    "account-edit": ("/accounts/{account}/edit/", {ODS, ADMIN}),
    "account-credential": ("/accounts/{account}/credential/", {ODS, ADMIN}),
    "vault": ("/vault/", {ODS, ADMIN}),
    "incident-list": ("/incidents/", ALL),
    "api-tokens": ("/tokens/", ALL),  # one's own tokens
    "security-keys": ("/second-factor/keys/", ALL),  # one's own keys
    "incident-report": ("/accounts/{account}/incident/", ALPHA_ALL),
    "incident-detail": ("/incidents/{incident}/", ALPHA_ALL),
    "incident-json": ("/incidents/{incident}/report.json", ALPHA_ALL),
    "incident-pdf": ("/incidents/{incident}/report.pdf", ALPHA_ALL),
    "vault-service": ("/vault/services/open311:api_key/", {ODS}),
    "application-list": ("/applications/", ALL),
    "application-create": ("/applications/new/", {ODS, ADMIN}),
    "application-detail": ("/applications/{campaign}/", ALPHA_ALL),
    "application-decide": ("/applications/{campaign}/decide/", {ODS}),
    "application-signoff": ("/applications/{campaign}/signoff/", {COUNSEL}),
    "application-withdraw": ("/applications/{campaign}/withdraw/", {ODS, ADMIN}),
    "application-submit": ("/applications/{draft}/submit/", {ODS, ADMIN}),
    "application-reapply": ("/applications/{denied}/reapply/", {ODS, ADMIN}),
    "person-detail": ("/people/{editor}/", ALPHA_ALL),
    "training-add": ("/people/{editor}/training/", {ODS, ADMIN}),
    "authorization-add": ("/people/{editor}/authorize/", {ODS, ADMIN}),
    "person-offboard": ("/people/{editor}/offboard/", {ODS, ADMIN}),
    "enrolment-code": ("/people/{editor}/enrolment-code/", {ODS}),
    "role-remove": ("/roles/{role}/remove/", {ODS, ADMIN}),
    "role-grants": ("/roles/grants/", ALL),
    # A pending counsel grant made by the only ODS admin: only a second person may decide
    # it (another ODS admin or alpha's central contact, and there is neither here).
    "role-grant-decide": ("/roles/grants/{grant}/decide/", set()),
    "authorization-revoke": ("/authorizations/{authorization}/revoke/", {ODS, ADMIN}),
    "terms-list": ("/terms/", ALL),
    "terms-add": ("/terms/new/", {ODS}),
    "compliance": ("/compliance/", ALL),
    "unregistered-accounts": ("/compliance/unregistered/", {ODS}),
    "logo-queue": ("/compliance/logos/", {ODS}),
    "archive-search": ("/archive/?q=", ARCHIVE),
    "archive-item": ("/archive/items/{item}/", ARCHIVE),
    "archive-hold": ("/archive/items/{item}/hold/", FOIL),
    "archive-imports": ("/archive/imports/", {ODS}),  # an operator's file spans agencies
    "archive-import-cancel": ("/archive/imports/{import}/cancel/", {ODS}, 302),
    "archive-verifications": ("/archive/verifications/", {ODS}),  # the whole archive's checks
    "archive-verification-cancel": ("/archive/verifications/{verification}/cancel/", FOIL, 302),
    "foil-list": ("/foil/", FOIL),
    "foil-create": ("/foil/new/", FOIL),
    "foil-case": ("/foil/{case}/", FOIL),
    "foil-export": ("/foil/{case}/export/", FOIL, 302),
    "foil-download": ("/foil/{case}/production/", FOIL),
    "foil-cancel-production": ("/foil/{case}/production/cancel/", FOIL, 302),
    "foil-verify-production": ("/foil/{case}/production/verify/", FOIL, 302),
    "foil-status": ("/foil/{case}/status/", FOIL, 302),
    "inbox": ("/inbox/", INBOX),
    "inbox-reviews": ("/inbox/reviews/", INBOX),
    "inbox-proposals": ("/inbox/proposals/", INBOX),
    "inbox-entry": ("/inbox/{entry}/", INBOX),
    "inbox-state": ("/inbox/{entry}/state/", MODERATE, 302),
    "inbox-refer": ("/inbox/{entry}/refer/", MODERATE),
    "inbox-propose": ("/inbox/{entry}/propose/", MODERATE),
    "inbox-account-reviewed": ("/inbox/accounts/{account}/reviewed/", MODERATE, 302),
    "inbox-proposal-decide": ("/inbox/proposals/{proposal}/decide/", DECIDE),
    "inbox-proposal-retry": ("/inbox/proposals/{proposal}/retry/", DECIDE, 302),
    "inbox-proposal-restore": ("/inbox/proposals/{proposal}/restore/", DECIDE),
    "draft-list": ("/posts/", ALL),
    "draft-new": ("/posts/new/", DRAFTERS),
    "draft-preview": ("/posts/preview/", DRAFTERS),
    "approval-queue": ("/posts/queue/", ALL),
    "publishing-calendar": ("/posts/calendar/", ALL),
    "draft-detail": ("/posts/{post}/", ALPHA_ALL),
    "draft-edit": ("/posts/{post}/edit/", DRAFTERS),
    "calendar-feed": ("/agencies/alpha/posts.ics", ALPHA_ALL),
    "approval-chain": ("/accounts/{account}/approval-chain/", {ODS, ADMIN}),
}
PUBLIC = {"directory": "/directory/", "login": "/login/", "healthz": "/healthz", "readyz": "/readyz",
          "metrics": "/metrics"}  # metrics: from this machine only (ops/tests/test_operating.py)
# Tested in their own files: logging out, and the second-factor pages every person uses.
ELSEWHERE = {"logout", "second-factor-setup", "second-factor-verify",
             "logo-picture",  # needs an audited picture: policy/tests/test_logo_decisions.py
             "incident-act",  # POST only: incidents/tests/test_incident_pages.py walks it
             "draft-act",  # POST only: publishing/tests/test_pages.py (approve, self-approval, ownership)
             "meta-webhook",  # signed by Meta, no sign-in: platforms/tests/test_meta_webhooks.py
             "api-token-revoke",  # POST, one's own only: signin/tests/test_api_tokens.py
             "sso-start", "oidc_authentication_callback",  # signin/tests/test_single_sign_on.py
             # django-otp-webauthn's own endpoints: signin/tests/test_security_keys.py and the browser
             "credential-registration-begin", "credential-registration-complete",
             "credential-authentication-begin", "credential-authentication-complete", "js-i18n-catalog"}



def url_names(resolver: Any) -> Iterator[str]:
    """Every named page, in the project's urls.py and each app's it includes (the API's
    operations are walked from API below)."""
    for entry in resolver.url_patterns:
        if hasattr(entry, "url_patterns"):
            if str(entry.pattern) != "api/":
                yield from url_names(entry)
        elif entry.name:
            yield entry.name


# API: (method, path, payload, who passes the permission check). Mutations send a
# payload that is well-formed but invalid, so a permitted caller gets 400 and nothing
# changes; anyone else must get 403 or 404.
API = [
    ("get", "/api/agencies", None, ALL),
    ("get", "/api/accounts", None, ALL),
    ("get", "/api/accounts/{account}", None, ALPHA_ALL),
    ("patch", "/api/accounts/{account}", {"reason": ""}, {ODS, ADMIN}),
    ("get", "/api/applications", None, ALL),
    ("get", "/api/applications/{campaign}", None, ALPHA_ALL),
    ("post", "/api/applications", {"agency": "alpha", "platform": "x", "handle": "a b",
                                   "url": "nope", "login_identity": "x",
                                   "justification": ""}, {ODS, ADMIN}),
    ("post", "/api/applications/{campaign}/decision", {"decision": "maybe", "reason": ""}, {ODS}),
    ("post", "/api/applications/{campaign}/counsel-signoff", {"reason": ""}, {COUNSEL}),
    ("post", "/api/applications/{campaign}/withdraw", {"reason": ""}, {ODS, ADMIN}),
    ("get", "/api/compliance", None, ALL),
    ("get", "/api/compliance?agency=alpha", None, ALPHA_ALL),
    ("get", "/api/archive/items/{item}", None, ARCHIVE),
    ("get", "/api/foil/{case}", None, FOIL),
    ("post", "/api/foil", {"agency": "alpha", "requester": " ", "received_on": "2026-11-20"}, FOIL),
    ("post", "/api/foil/{case}/production/cancel", {}, FOIL),  # nothing being built: 400
    ("get", "/api/archive/imports", None, {ODS}),
    ("get", "/api/archive/imports/{import}", None, {ODS}),
    ("post", "/api/archive/imports/{import}/cancel", {}, {ODS}),  # not running: 400
    ("get", "/api/archive/verifications", None, {ODS}),
    ("get", "/api/archive/verifications/{verification}", None, FOIL),  # alpha's production's check
    ("post", "/api/archive/verifications/{verification}/cancel", {}, FOIL),  # not running: 400
    ("get", "/api/posts", None, ALL),
    ("get", "/api/posts/queue", None, ALL),
    ("get", "/api/posts/schedule", None, ALL),
    ("get", "/api/posts/{post}", None, ALPHA_ALL),
    ("get", "/api/agencies/alpha/posts.ics", None, ALPHA_ALL),
    ("post", "/api/posts/{post}/decision", {"decision": "maybe", "content_hash": ""},
     {ODS, ADMIN, COUNSEL, "approver"}),
    ("post", "/api/posts/{post}/withdraw", {"reason": " "}, DRAFTERS),
]
# The operator's records (imports, the whole archive's checks): no agency's, so a bravo
# person is refused (403) as anyone without the role, not told it does not exist (404).
OPERATORS = {"archive-import-cancel", "/api/archive/imports", "/api/archive/imports/{import}",
             "/api/archive/imports/{import}/cancel", "/api/archive/verifications"}
# Unscoped endpoints: anyone with the role in their own agency may call them; what they
# return is limited to that agency (the marker test below proves it).
API_UNSCOPED = [("/api/archive/search?q=", ARCHIVE), ("/api/foil", FOIL)]


class RoleWalkTestCase(BaseTestCase):
    ids: dict[str, int]  # the records' primary keys, by the names the path templates use
    principals: list[tuple[str, str, Any]]  # (agency slug, role, person)

    @classmethod
    def setUpTestData(cls) -> None:
        # Made once for the class (each test gets them as they were): seven seconds each.
        super().setUpTestData()
        cls.make_records(cls())

    @classmethod
    def make_records(cls, self: "RoleWalkTestCase") -> None:
        admin = self.person(ADMIN)
        editor = self.person(Role.EDITOR)
        account = self.approved_account(login_identity=f"{MARKER}@alpha.nyc.gov")
        campaign = self.submitted_application(handle=f"@{MARKER}_campaign",
                                              account_type=AccountType.CAMPAIGN)
        draft = services.create_application(admin, self.application_data(
            handle=f"@{MARKER}_draft"), submit=False)
        denied = self.submitted_application(handle=f"@{MARKER}_denied", continuity_plan="")
        services.decide_application(self.ods, denied, False, f"{MARKER} no plan")
        services.save_agency_policy(admin, self.alpha, f"{MARKER} policy", ["roles"])
        self.trained(editor)
        authorization = services.authorize(admin, editor, account)
        grant = roles.grant_role(self.ods, editor, self.alpha, Role.COUNSEL)
        archive(line("c1", account="@alpha_news", text=f"{MARKER} pothole comment"))
        item = ArchivedItem.objects.get()
        triage_new_items()
        entry = InboxEntry.objects.get()
        proposal = propose_removal(self.person(MODERATOR), entry, "hide", "obscene",
                                   f'It says "{MARKER} pothole comment"')
        case = open_case(self.person(COUNSEL), f"{MARKER} requester", date(2026, 11, 20),
                         ["pothole"], agency=self.alpha)
        export_case(case, Path(settings.PRODUCTIONS_DIR) / f"{case.number}.zip")
        done = {"status": ImportJob.Status.DONE}
        an_import = ImportJob.objects.create(path=f"{MARKER}.jsonl", file_sha256="0" * 64, total=1, **done)
        verification = VerificationJob.objects.create(kind=VerificationJob.Kind.PRODUCTION, case=case, **done)
        post = compose.create_draft(editor, compose.DraftInput(f"{MARKER} pools open", [account]))
        incident = report_incident(self.person(Role.EDITOR), account, f"{MARKER} a post nobody wrote")
        cls.ids = {"item": item.pk, "case": case.pk, "entry": entry.pk, "proposal": proposal.pk,
                    "account": account.pk, "campaign": campaign.pk, "draft": draft.pk,
                    "denied": denied.pk, "editor": editor.pk,
                    "role": editor.role_assignments.get().pk,
                    "authorization": authorization.pk, "grant": grant.pk, "incident": incident.pk,
                    "post": post.pk, "import": an_import.pk, "verification": verification.pk}
        cls.principals = [("ods", ODS, self.ods)] + [
            (slug, role, person) for slug in ("alpha", "bravo")
            for role, person in self.people[slug].items()]

    def expected(self, slug: str, role: str, allowed: object, bravo_status: int = 404) -> int:
        if allowed == ALL or (role == ODS and (allowed == ALPHA_ALL or ODS in allowed)):  # type: ignore[operator]
            return 200
        if role == ODS:
            return 403
        if slug == "bravo":
            return bravo_status
        return 200 if allowed == ALPHA_ALL or role in allowed else 403  # type: ignore[operator]

    def test_it_covers_every_url(self):
        names = set(url_names(get_resolver()))
        self.assertGreater(len(names), len(PAGES) // 2)  # every app's urls.py was walked
        self.assertEqual(names - set(PAGES) - set(PUBLIC) - ELSEWHERE, set())

    def test_it_allows_or_denies_every_page_for_every_role(self):
        for slug, role, person in self.principals:
            self.login(person)  # once a person: a login is a third of a request's cost
            for name, (template, allowed, *ok) in PAGES.items():
                path = template.format(**self.ids)
                # Pages that name no alpha record answer a bravo person as they would anyone
                # without the role: 403 (or 200 where bravo has the role for its own agency).
                scoped = ("{" in template or "alpha" in template) and name not in OPERATORS
                status = self.client.get(path).status_code
                if not scoped and slug == "bravo":
                    want = 200 if allowed == ALL or role in allowed else 403  # type: ignore[operator]
                else:
                    want = self.expected(slug, role, allowed)
                if want == 200 and ok:
                    want = ok[0]
                self.assertEqual(status, want, f"GET {name} as {slug}/{role}")
                if want in (403, 404):
                    self.assertEqual(self.client.post(path, {}).status_code, want,
                                     f"POST {name} as {slug}/{role}")

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        self.client.logout()
        for name, (template, *_) in PAGES.items():
            response = self.client.get(template.format(**self.ids))
            self.assertEqual(response.status_code, 302, name)
            self.assertTrue(response["Location"].startswith("/login/"), name)
        for name, path in PUBLIC.items():
            self.assertEqual(self.client.get(path).status_code, 200, name)

    def test_it_allows_or_denies_every_api_endpoint_for_every_role(self):
        for slug, role, person in self.principals:
            self.login(person)
            for method, template, payload, allowed in API:
                path = template.format(**self.ids)
                kwargs = {"data": payload, "content_type": "application/json"} if payload else {}
                response = getattr(self.client, method)(path, **kwargs)
                if payload is None:
                    want = self.expected(slug, role, allowed, 403 if template in OPERATORS else 404)
                    self.assertEqual(response.status_code, want, f"{method} {path} {slug}/{role}")
                else:
                    permitted = role in allowed and (role == ODS or slug == "alpha")  # type: ignore[operator]
                    denied = {403, 404} if not permitted else {400}
                    self.assertIn(response.status_code, denied, f"{method} {path} {slug}/{role}")
        self.client.logout()
        for method, template, payload, _ in API:
            path = template.format(**self.ids)
            response = getattr(self.client, method)(path, data=payload or {},
                                                    content_type="application/json")
            self.assertEqual(response.status_code, 401, f"{method} {path} anonymous")

    def test_it_gives_a_token_what_its_scope_allows_and_no_more(self):
        """A token with everything its person may give answers as the person's session does;
        one that may only read answers the reading endpoints alone."""
        for slug, role, person in self.principals:
            agencies = [] if role == ODS else list(agencies_for(person, Action.VIEW_AGENCY))
            actions = [a.value for a in tokens.grantable_actions(person)]
            full = tokens.issue(person, "full", agencies, actions, 30, citywide=role == ODS)[1]
            reader = tokens.issue(person, "reader", agencies, [Action.VIEW_AGENCY], 30,
                                  citywide=role == ODS)[1]
            self.login(person)
            sessions = [getattr(self.client, method)(template.format(**self.ids), **(
                {"data": payload, "content_type": "application/json"} if payload else {})).status_code
                for method, template, payload, _ in API]
            self.client.logout()
            for (method, template, payload, allowed), session in zip(API, sessions, strict=True):
                path = template.format(**self.ids)
                kwargs = {"data": payload, "content_type": "application/json"} if payload else {}
                for secret, label in ((full, "full"), (reader, "reader")):
                    status = getattr(self.client, method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}",
                                                          **kwargs).status_code
                    if label == "full" or (payload is None and allowed in (ALL, ALPHA_ALL)):
                        self.assertEqual(status, session, f"{method} {path} {slug}/{role} {label} token")
                    else:
                        self.assertIn(status, {403, 404}, f"{method} {path} {slug}/{role} {label} token")

    def test_it_allows_or_denies_unscoped_endpoints(self):
        for path, allowed in API_UNSCOPED:
            for slug, role, person in self.principals:
                self.login(person)
                want = 200 if role in allowed else 403
                self.assertEqual(self.client.get(path).status_code, want, f"{path} {slug}/{role}")

    def test_it_never_shows_another_agencys_data(self):
        paths = [t.format(**self.ids) for t, *_ in PAGES.values()] + \
            [t.format(**self.ids) for m, t, p, _ in API if m == "get"] + [p for p, _ in API_UNSCOPED]
        for role, person in self.people["bravo"].items():
            self.login(person)
            for path in paths:
                response = self.client.get(path)
                self.assertNotIn(MARKER, response.content.decode(), f"{path} as bravo/{role}")
        self.assertIn(MARKER, self.login(self.person(Role.VIEWER)).get(
            f"/accounts/{self.ids['account']}/").content.decode())

    def test_it_shows_only_public_fields_in_the_directory(self):
        self.client.logout()
        body = self.client.get("/directory/").content.decode()
        self.assertIn("@alpha_news", body)
        self.assertNotIn(MARKER, body)  # the login identity is not public
        self.assertNotIn(MARKER, self.client.get("/api/directory").content.decode())

    def test_it_lets_nobody_grant_themselves_any_role(self):
        for slug, role, person in self.principals:
            self.login(person)
            for wanted in Role:
                if wanted == Role.ODS_ADMIN:
                    continue
                response = self.client.post(f"/agencies/alpha/people/{person.pk}/role/", {"role": wanted})
                want = {404} if slug == "bravo" else {403}
                self.assertIn(response.status_code, want, f"{slug}/{role} granting itself {wanted}")
            self.assertEqual(RoleGrant.objects.filter(person=person, granted_by=person).count(), 0)

    def test_it_lets_only_ods_grant_the_roles_that_decide(self):
        target = self.person(Role.VIEWER)
        for slug, role, person in self.principals:
            self.login(person)
            for wanted in Role:
                if wanted == Role.ODS_ADMIN:
                    continue
                before = RoleAssignment.objects.filter(person=target, role=wanted).exists()
                response = self.client.post(f"/agencies/alpha/people/{target.pk}/role/", {"role": wanted})
                may_grant = role == ODS or (slug == "alpha" and role == ADMIN
                                            and wanted not in DECIDING_ROLES)
                if slug == "bravo":
                    want = 404
                elif not may_grant:
                    want = 403
                else:
                    want = 400 if before else 302  # 400: already held
                self.assertEqual(response.status_code, want, f"{slug}/{role} granting {wanted}")
                in_effect = RoleAssignment.objects.filter(person=target, role=wanted).exists()
                if wanted in DECIDING_ROLES:
                    self.assertFalse(in_effect, f"{wanted} took effect without a second person")


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
# Who may see what is decided in Python, the same on either engine.
pytestmark = [pytest.mark.slow, sqlite_pass_only]
