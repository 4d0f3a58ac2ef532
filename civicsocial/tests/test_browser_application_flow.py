"""End to end in real headless Chromium (Debian's, driven by Playwright):
an agency admin applies, ODS denies with a reason, the agency re-applies with a
continuity plan, ODS approves, the account appears in the registry and the
compliance report changes. Both people log in through the real login page with
their second factor (P13). Screenshots land in var/screenshots/ for a human look.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry import roles
from civicsocial.registry.models import Agency, Role
from civicsocial.testing import make_person

pytestmark = pytest.mark.browser
PASSWORD = "quartz-meadow-violin-harbor-42"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def city(live_app: object) -> dict[str, bytes]:
    """The records the test starts from, made before the browser starts: Playwright's
    sync API runs the test body in a greenlet, where the ORM would open a connection
    of its own. The body itself only uses the pages. Returns each login's TOTP key."""
    alpha = Agency.objects.create(name="Alpha Department", slug="alpha",
                                  email_domains="alpha.nyc.gov")
    return {"ods": person_with_device("ods", None, Role.ODS_ADMIN),
            "alpha-admin": person_with_device("alpha-admin", alpha, Role.AGENCY_ADMIN)}


@pytest.fixture
def browser(city: dict[str, bytes]) -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make system-deps` (Debian package chromium).")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def person_with_device(username: str, agency: Agency | None, role: str) -> bytes:
    person = make_person(username, password=PASSWORD)
    roles.grant_role(None, person, agency, role)  # as the command line would
    return TOTPDevice.objects.create(user=person, name="phone", confirmed=True).bin_key


def log_in(page: object, base: str, username: str, key: bytes) -> None:
    page.goto(f"{base}/login/")  # type: ignore[attr-defined]
    page.fill("#id_username", username)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/second-factor/verify/"))  # type: ignore[attr-defined]
    page.fill("#id_token", f"{totp(key):06d}")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/")  # type: ignore[attr-defined]


def alpha_score(page: object, base: str) -> str:
    page.goto(f"{base}/compliance/")  # type: ignore[attr-defined]
    return page.inner_text("#agency-alpha")  # type: ignore[attr-defined]


def decide(page: object, base: str, application_id: str, decision: str, reason: str) -> None:
    page.goto(f"{base}/applications/{application_id}/")  # type: ignore[attr-defined]
    page.click("text=Approve or deny")  # type: ignore[attr-defined]
    page.check(f"input[name=decision][value={decision}]")  # type: ignore[attr-defined]
    page.fill("#id_reason", reason)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(rf"/applications/{application_id}/$"))  # type: ignore[attr-defined]


def test_it_walks_an_application_from_denial_to_registry(live_app: object, city: dict[str, bytes],
                                                         browser: object) -> None:
    base = live_app.url  # type: ignore[attr-defined]
    SHOTS.mkdir(parents=True, exist_ok=True)
    agency_page = browser.new_context().new_page()  # type: ignore[attr-defined]
    ods_page = browser.new_context().new_page()  # type: ignore[attr-defined]
    log_in(agency_page, base, "alpha-admin", city["alpha-admin"])
    log_in(ods_page, base, "ods", city["ods"])
    before = alpha_score(ods_page, base)

    # The agency applies without a continuity plan.
    agency_page.goto(f"{base}/applications/new/")
    agency_page.select_option("#id_agency", label="Alpha Department")
    agency_page.select_option("#id_platform", "bluesky")
    agency_page.fill("#id_handle", "@alpha_alerts")
    agency_page.fill("#id_url", "https://bsky.example/alpha_alerts")
    agency_page.fill("#id_login_identity", "social@alpha.nyc.gov")
    agency_page.fill("#id_justification", "Street closures reach residents fastest here.")
    agency_page.click("main button[type=submit]")
    agency_page.wait_for_url(re.compile(r"/applications/\d+/$"))
    first_id = agency_page.url.rstrip("/").rsplit("/", 1)[1]
    assert "Submitted to ODS" in agency_page.inner_text("#application-status")

    # ODS denies it, with a reason the agency sees.
    decide(ods_page, base, first_id, "deny", "Missing a continuity plan (P2).")
    assert "Denied" in ods_page.inner_text("#application-status")
    agency_page.reload()
    assert "Missing a continuity plan (P2)." in agency_page.inner_text("#decision-reason")
    agency_page.screenshot(path=str(SHOTS / "denied.png"), full_page=True)

    # The agency re-applies with a plan; the form comes pre-filled.
    agency_page.click("text=Re-apply")
    assert agency_page.input_value("#id_handle") == "@alpha_alerts"
    agency_page.fill("#id_continuity_plan", "Two digital-unit admins; handover checklist.")
    agency_page.click("main button[type=submit]")
    agency_page.wait_for_url(re.compile(r"/applications/\d+/$"))
    second_id = agency_page.url.rstrip("/").rsplit("/", 1)[1]
    assert second_id != first_id

    # ODS approves; the account is registered and the compliance report changes.
    decide(ods_page, base, second_id, "approve", "Unique need and plan shown.")
    assert "Approved" in ods_page.inner_text("#application-status")
    ods_page.goto(f"{base}/accounts/")
    assert "@alpha_alerts" in ods_page.inner_text("main")
    after = alpha_score(ods_page, base)
    assert after != before, (before, after)
    ods_page.screenshot(path=str(SHOTS / "compliance.png"), full_page=True)
    ods_page.goto(f"{base}/api/accounts")
    assert [a["handle"] for a in json.loads(ods_page.inner_text("body"))] == ["@alpha_alerts"]
