"""Publishing end to end in real headless Chromium (issue 19): an editor composes a post
for a campaign account with an image and its alt text (the live preview counts Bluesky's
graphemes under the CSP); the editor, an approver too, cannot approve it; an approver and
then counsel approve it in their pages; the worker schedules it through the Hootsuite
contract server, which posts it on the local Bluesky network at its time; capture
archives it and the archive item shows who approved which content hash."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.ops.hootsuite_server import HootsuiteContractServer
from civicsocial.platforms.adapters.base import MediaFile
from civicsocial.platforms.credentials import HOOTSUITE_CLIENT_SECRET, HOOTSUITE_REFRESH_TOKEN
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.publishing.tests.base import png
from civicsocial.registry import roles, services
from civicsocial.registry.models import AccountType, Agency, Role
from civicsocial.security import vault
from civicsocial.testing import make_person
from civicsocial.tests.test_browser_application_flow import CHROMIUM, PASSWORD, SHOTS

pytestmark = pytest.mark.browser


def in_thread(work: Callable[[], Any]) -> Any:
    """Run ORM work outside Playwright's greenlet, on a connection of its own."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    return result[0] if result else None


@pytest.fixture
def city(live_app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Alpha's campaign account on the local Bluesky network, its staff (the editor is an
    approver too), the vendor serving it; made before the browser starts."""
    handle, password = new_account("campaign")
    monkeypatch.setenv("CIVICSOCIAL_BLUESKY_SERVICE", shared_network().pds)
    monkeypatch.setenv(f"CIVICSOCIAL_SECRET_BLUESKY_{re.sub('[^A-Za-z0-9]', '_', handle).upper()}", password)
    ods = make_person("ods")
    roles.grant_role(None, ods, None, Role.ODS_ADMIN)
    alpha = Agency.objects.create(name="Alpha Department", slug="alpha", email_domains="alpha.nyc.gov")
    people = {name: make_person(name, password=PASSWORD) for name in ("editor", "approver", "counsel")}
    for name, held in (("editor", (Role.EDITOR, Role.APPROVER)), ("approver", (Role.APPROVER,)),
                       ("counsel", (Role.COUNSEL,))):
        for role in held:
            roles.grant_role(None, people[name], alpha, role)
    application = services.create_application(ods, {
        "agency": alpha, "platform": "bluesky", "handle": f"@{handle}", "url": f"https://bsky.app/profile/{handle}",
        "account_type": AccountType.CAMPAIGN, "owner": None, "topic_limited": False, "topic_statement": "",
        "sensitive_audience": False, "login_identity": "social@alpha.nyc.gov",
        "justification": "A smoke alarm campaign.", "continuity_plan": "Two admins."})
    services.counsel_signoff(people["counsel"], application, "Non-branded campaign reviewed.")
    account = services.decide_application(ods, application, True, "ok").account
    terms = services.record_terms(ods, "bluesky", "1", timezone.localdate() - timedelta(days=9))
    services.record_tos_review(people["counsel"], alpha, terms, timezone.localdate())
    for person in people.values():
        services.record_training(ods, person, timezone.localdate() - timedelta(days=3))
        services.authorize(ods, person, account)
    key = TOTPDevice.objects.create(user=people["counsel"], name="phone", confirmed=True).bin_key
    city = adapter(handle, password)

    def publish(profile: Any, text: str, media: list[tuple[bytes, str]]) -> tuple[str, str]:
        images = [MediaFile(data, kind, "") for data, kind in media]
        made = city.publish(text, secrets.token_hex(8), media=images)
        return made.item_id, made.url

    with HootsuiteContractServer([{"id": "115185509", "type": "BLUESKY", "socialNetworkUsername": handle}],
                                 publish) as server:
        monkeypatch.setenv("CIVICSOCIAL_HOOTSUITE_URL", server.url)
        monkeypatch.setenv("CIVICSOCIAL_HOOTSUITE_CLIENT_ID", server.state.client_id)
        for secret, value in ((HOOTSUITE_CLIENT_SECRET, server.state.client_secret),
                              (HOOTSUITE_REFRESH_TOKEN, server.issue_refresh_token())):
            vault.store(vault.Entry(secret.name, secret.label, secret.kind), value, None, "test")
        yield {"account": account, "server": server, "counsel_key": key, "city": city}


@pytest.fixture
def browser(city: dict[str, Any]) -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make system-deps` (Debian package chromium).")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


def log_in(page: Any, base: str, username: str, key: bytes | None = None) -> None:
    from django_otp.oath import totp

    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if key is not None:
        page.wait_for_url(re.compile(r"/second-factor/verify/"))
        page.fill("#id_token", f"{totp(key):06d}")
        page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def approve(page: Any, base: str, draft: str, step: int) -> None:
    page.goto(f"{base}/posts/{draft}/")
    page.click(f"text=Approve step {step}")
    page.wait_for_url(re.compile(rf"/posts/{draft}/$"))


def test_it_publishes_an_approved_campaign_post_through_the_vendor(
        live_app: Any, city: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    base = live_app.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    image = tmp_path / "alarm.png"
    image.write_bytes(png("orange", (32, 32)))
    editor = browser.new_context().new_page()
    log_in(editor, base, "editor")

    # The editor composes: the live preview counts as Bluesky does.
    editor.goto(f"{base}/posts/new/")
    editor.check(f"input[name=accounts][value='{city['account'].pk}']")
    editor.fill("#id_text", "Test your smoke alarm this weekend \U0001F468\u200D\U0001F469\u200D\U0001F467")
    editor.wait_for_selector("#preview >> text=Bluesky: 36 / 300 graphemes")
    send_at = timezone.localtime() + timedelta(minutes=10)
    editor.fill("#id_send_at", send_at.strftime("%Y-%m-%dT%H:%M"))
    editor.set_input_files("#id_image_1", str(image))
    editor.fill("#id_alt_1", "An orange smoke alarm on a ceiling")
    editor.click("button[name=submit]")
    editor.wait_for_url(re.compile(r"/posts/\d+/$"))
    draft = editor.url.rstrip("/").rsplit("/", 1)[1]
    assert "Waiting for approval" in editor.inner_text("main")
    editor.screenshot(path=str(SHOTS / "draft.png"), full_page=True)

    # The editor is an approver too, but never of their own draft.
    assert "Approve step 1" not in editor.inner_text("main")
    assert "Nobody approves their own draft" in editor.inner_text("main")

    # The approver, then counsel (a campaign account's second step, P9).
    approver = browser.new_context().new_page()
    log_in(approver, base, "approver")
    approve(approver, base, draft, 1)
    counsel = browser.new_context().new_page()
    log_in(counsel, base, "counsel", city["counsel_key"])
    approve(counsel, base, draft, 2)
    assert "Scheduled" in counsel.inner_text("main"), counsel.inner_text("main")

    # At its time the vendor posts it; the worker reads its post id; capture archives it.
    later = timezone.now() + timedelta(minutes=30)
    assert city["server"].run_due(later) == 1

    def sent_and_captured() -> None:
        from civicsocial.platforms.capture import capture_account
        from civicsocial.publishing.sending import dispatch

        dispatch(now=later)
        capture_account(city["account"])

    in_thread(sent_and_captured)
    posted = [c for c in city["city"].read_since("").captures if c["kind"] == "post"]
    assert [p["text"] for p in posted] == [
        "Test your smoke alarm this weekend \U0001F468\u200D\U0001F469\u200D\U0001F467"]
    assert posted[0]["raw"]["value"]["embed"]["$type"] == "app.bsky.embed.images"

    counsel.goto(f"{base}/posts/{draft}/")
    counsel.click("text=captured")
    counsel.wait_for_url(re.compile(r"/archive/items/\d+/$"))
    item = counsel.inner_text("main")
    assert "Published from an approved draft" in item
    assert "approved by Approver Tester" in item and "approved by Counsel Tester" in item
    counsel.screenshot(path=str(SHOTS / "archived-post.png"), full_page=True)
