"""Issue 18 (P13): no secret leaves the vault. Canary secrets are planted in the vault: a
Bluesky app password that capture and the inbox's replies really use, the Open311 API key
a 311 referral really sends, and an account's token that nothing uses. The product then
runs as a city would run it: capture, triage, a legal hold with counsel's e-mail, a FOIL
request with the records officer's e-mail and its production, a 311 referral from the
inbox page, every page a crawler reaches as ODS and as the agency admin, every API list,
and an error report of a failure with the secret at hand. Each canary is then looked for
in every place a secret could escape to: pages, API answers, log lines, e-mails, audit
entries, archive versions, production files, error reports, and every column of every
table (what the vault keeps is encrypted, so a canary in plain anywhere is a leak)."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import zipfile
from collections import deque
from pathlib import Path
from unittest import mock
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from civicsocial.inbox.models import InboxEntry
from civicsocial.inbox.services import triage_new_items
from civicsocial.ops import georeport_server
from civicsocial.platforms.adapters.registry import adapter_for
from civicsocial.platforms.capture import capture_account
from civicsocial.platforms.credentials import OPEN311_API_KEY, credentials_for
from civicsocial.platforms.tests.bluesky import adapter, new_account, shared_network
from civicsocial.records.models import FoilCase
from civicsocial.records.production import export_case
from civicsocial.registry.credentials import store_account_secret
from civicsocial.registry.models import Role
from civicsocial.security import vault
from civicsocial.testing import BaseTestCase

PAGE_LIMIT = 250  # the crawler's bound: enough to reach every kind of page here


class Lines(logging.Handler):
    """Every log line of every logger, as it would be written, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class SecretCanariesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        server, _, endpoint = georeport_server.start(georeport_server.GeoReportState(
            api_key=(open311_key := "canary-311-" + os.urandom(8).hex())))
        self.addCleanup(server.shutdown)
        handle, password = new_account("canary")
        self.account = self.approved_account(handle=handle, url=f"https://bsky.app/profile/{handle}")
        unused = self.approved_account(handle="@alpha_unused", url="https://bsky.example/alpha_unused")
        self.canaries = {"app password": password, "Open311 key": open311_key,
                         "unused token": "canary-unused-" + os.urandom(8).hex()}
        store_account_secret(self.ods, self.account, password, "app_password", False, "test")
        store_account_secret(self.ods, unused, self.canaries["unused token"], "access_token", False, "test")
        vault.store(vault.Entry(OPEN311_API_KEY.name, OPEN311_API_KEY.label, OPEN311_API_KEY.kind),
                    open311_key, self.ods)
        patcher = mock.patch.dict(os.environ, {"CIVICSOCIAL_BLUESKY_SERVICE": shared_network().pds,
                                               "CIVICSOCIAL_OPEN311_ENDPOINT": endpoint})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.city = adapter(handle, password)
        self.logs = Lines()
        self.hear_every_logger()
        mail.outbox.clear()

    def hear_every_logger(self) -> None:
        """Every logger at DEBUG, propagating to a handler on the root (whatever earlier
        tests or libraries set), as it was again after the test."""
        loggers = [logging.getLogger(), *(logger for logger in logging.root.manager.loggerDict.values()
                                          if isinstance(logger, logging.Logger))]
        saved = [(logger, logger.level, logger.propagate, logger.disabled) for logger in loggers]
        switched_off = logging.root.manager.disable
        logging.disable(logging.NOTSET)
        for logger in loggers[1:]:
            logger.setLevel(logging.NOTSET)
            logger.propagate, logger.disabled = True, False
        loggers[0].setLevel(logging.DEBUG)
        loggers[0].addHandler(self.logs)

        def restore() -> None:
            logging.disable(switched_off)
            loggers[0].removeHandler(self.logs)
            for logger, level, propagate, disabled in saved:
                logger.setLevel(level)
                logger.propagate, logger.disabled = propagate, disabled

        self.addCleanup(restore)

    def run_the_city(self) -> list[bytes]:
        """Everything a secret could be near; returns the bytes of every production file."""
        resident = adapter(*new_account("resident"))
        post = self.city.publish("Street work on Court St this week", "canary-post")
        for n, text in enumerate(["There is a deep pothole at 120 Court St, my bike went down",
                                  "Under FOIL I request all emails about the Court St work",
                                  "The streetlight at 40 Court St has been out for a week"]):
            resident.publish(text, f"canary-reply-{n}", reply_to=post.item_id)
        with self.captureOnCommitCallbacks(execute=True):  # the e-mails go out on commit
            capture_account(self.account)  # triaged as it is archived
            triage_new_items()
        entry = InboxEntry.objects.get(item__version_set__content__text__contains="streetlight")
        moderator = self.login(self.person(Role.MODERATOR))
        self.assertEqual(moderator.post(f"/inbox/{entry.pk}/refer/", {
            "service_code": "STREETLIGHT", "location": "40 Court St"}).status_code, 302)
        case = FoilCase.objects.get()
        out = Path(self.enterContext(tempfile.TemporaryDirectory())) / "production.zip"
        export_case(case, out)
        with zipfile.ZipFile(out) as production:
            return [out.read_bytes(), *(production.read(name) for name in production.namelist())]

    def crawl(self, role: str) -> list[bytes]:
        """Every page reachable from the home page by links, as `role` (bounded)."""
        client = self.login(self.person(role))
        seen, queue, bodies = set(), deque(["/", self.account.get_absolute_url(), "/api/openapi.json"]), []
        while queue and len(seen) < PAGE_LIMIT:
            path = queue.popleft()
            if path in seen or "logout" in path:
                continue
            seen.add(path)
            answer = client.get(path)
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content
            bodies.append(body)
            if "html" in answer.get("Content-Type", ""):
                for link in _links(body.decode(errors="replace")):
                    target = urlsplit(urljoin(path, link))
                    if not target.netloc and target.path.startswith("/"):
                        queue.append(target.path + (f"?{target.query}" if target.query else ""))
        self.assertGreater(len(seen), 30, "the crawler reached too few pages to mean anything")
        return bodies

    def api_lists(self) -> list[bytes]:
        client = self.login(self.ods)
        document = client.get("/api/openapi.json").json()
        return [client.get(path).content for path, methods in document["paths"].items()
                if "get" in methods and "{" not in path]

    def error_reports(self) -> list[str]:
        """Django's error report (the debug page and the admins' e-mail) of a failure in an
        adapter call, with the secret in the failing frames' variables and in the form
        that was posted."""
        request = RequestFactory().post(f"/accounts/{self.account.pk}/credential/",
                                        {"secret": self.canaries["unused token"], "kind": "app_password"})
        request.user = self.ods
        try:
            credentials = credentials_for(self.account)  # in the frame, as an adapter holds it
            password = credentials.secret  # and under a name that says what it is
            adapter_for(self.account).publish("x" * 5000, f"too-long-{len(password)}")
        except Exception:
            reporter = ExceptionReporter(request, *sys.exc_info())
            return [reporter.get_traceback_text(), reporter.get_traceback_html()]
        self.fail("the over-long post was not refused")

    def every_column(self) -> list[str]:
        values = []
        for model in apps.get_models():
            for row in model.objects.values_list():
                values.append(repr(row))
        return values

    def test_it_keeps_every_secret_inside_the_vault(self):
        production = self.run_the_city()
        self.assertTrue(mail.outbox, "no e-mail was sent: the e-mail check would mean nothing")
        places: dict[str, list[bytes | str]] = {
            "production file": production,
            "page as ODS": self.crawl(Role.ODS_ADMIN),
            "page as agency admin": self.crawl(Role.AGENCY_ADMIN),
            "API answer": self.api_lists(),
            "error report": self.error_reports(),
            "log line": self.logs.lines,
            "e-mail": [f"{m.subject}\n{m.body}\n{m.to}\n{m.alternatives}" for m in mail.outbox],
            "database column (audit log, archive versions and every other table)": self.every_column(),
        }
        self.assertGreater(len(self.logs.lines), 10)
        for place, contents in places.items():
            for name, canary in self.canaries.items():
                with self.subTest(place=place, canary=name):
                    leaks = [_around(c if isinstance(c, bytes) else c.encode(), canary.encode())
                             for c in contents]
                    self.assertEqual([leak for leak in leaks if leak][:1], [],
                                     f"the {name} leaked into a {place}")


def _around(content: bytes, canary: bytes) -> bytes:
    """What surrounds the canary where it leaked (b"" where it did not)."""
    at = content.find(canary)
    return content[max(at - 300, 0):at + 100] if at >= 0 else b""


def _links(html: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(value for key, value in attrs if key == "href" and value)

    Parser().feed(html)
    return found


pytestmark = [pytest.mark.network, pytest.mark.slow]
