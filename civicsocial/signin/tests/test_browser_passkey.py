"""Issue 18 (P13): a passkey as the second factor, in real headless Chromium with its
virtual authenticator (the DevTools WebAuthn domain): an agency admin who passed their
authenticator app's code adds a passkey, logs out, and next time passes the second factor
with the passkey alone; under the site's Content Security Policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings

from civicsocial.registry.models import Agency, Role
from civicsocial.tests.test_browser_application_flow import PASSWORD, browser, log_in, person_with_device

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the application flow's test


@pytest.fixture
def city(live_app: object) -> dict[str, bytes]:
    alpha = Agency.objects.create(name="Alpha Department", slug="alpha", email_domains="alpha.nyc.gov")
    return {"alpha-admin": person_with_device("alpha-admin", alpha, Role.AGENCY_ADMIN)}


def virtual_authenticator(context: Any, page: Any) -> None:
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})


def test_it_passes_the_second_factor_with_a_passkey(live_app: Any, city: dict[str, bytes],
                                                    browser: Any) -> None:
    # WebAuthn wants a host name for the relying party, not an address: the same server as localhost.
    base = live_app.url.replace("127.0.0.1", "localhost")
    with override_settings(OTP_WEBAUTHN_ALLOWED_ORIGINS=[base]):
        context = browser.new_context()
        page = context.new_page()
        virtual_authenticator(context, page)
        log_in(page, base, "alpha-admin", city["alpha-admin"])
        page.goto(f"{base}/second-factor/keys/")
        with page.expect_response("**/webauthn/registration/complete/") as completed:
            page.click("#passkey-register-button")  # the authenticator answers at once
        assert completed.value.ok, completed.value.text()
        page.goto(f"{base}/second-factor/keys/")
        assert "None yet." not in page.inner_text("main"), page.inner_text("main")

        context.clear_cookies()  # a new visit: password, then the second factor again
        page.goto(f"{base}/login/")
        page.fill("#id_username", "alpha-admin")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/second-factor/verify/"))
        page.click("#passkey-verification-button")
        page.wait_for_url(f"{base}/")  # verified: the home page, not the code form
        page.goto(f"{base}/second-factor/keys/")
        assert "never" not in page.inner_text("tbody tr td:nth-child(3)")  # its use recorded
