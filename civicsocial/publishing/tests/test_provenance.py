"""Closing the loop (issue 19): the archive item of a post sent from a draft shows who
drafted it, who approved each step and the content hash approved; a FOIL production
carries the same record for each official post."""

from __future__ import annotations

import json
import secrets
import zipfile
from pathlib import Path
from tempfile import mkdtemp

from django.utils import timezone

from civicsocial.platforms.capture import capture_account
from civicsocial.publishing import approvals, sending
from civicsocial.publishing.tests.base import PublishingCity
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.production import export_case
from civicsocial.registry.models import Role
from civicsocial.testing import BaseTestCase


class ProvenanceTestCase(PublishingCity, BaseTestCase):
    def setUp(self):
        self.account = self.make_city()
        approvals.set_chain(self.person(Role.AGENCY_ADMIN), self.account,
                            [(Role.APPROVER, []), (Role.COUNSEL, [])])
        with self.captureOnCommitCallbacks(execute=False):
            text = f"Hydrants are being flushed on Elm {secrets.token_hex(3)}"
            draft = self.submitted(text=text, send_in=None)
            self.approve(draft, self.person(Role.APPROVER))
            self.draft_ = self.approve(draft, self.person(Role.COUNSEL))
        sending.dispatch()
        capture_account(self.account)
        self.item = self.account.targets.get().archived_item

    def test_it_shows_the_approvals_on_the_archive_item(self):
        page = self.login(self.person(Role.RECORDS_OFFICER)).get(self.item.get_absolute_url())
        self.assertContains(page, "Published from an approved draft")
        self.assertContains(page, self.draft_.content_hash)
        self.assertContains(page, f"approved by {self.person(Role.APPROVER)}")
        self.assertContains(page, f"approved by {self.person(Role.COUNSEL)}")

    def test_it_puts_the_record_in_a_foil_production(self):
        case = open_case(None, "A reporter", timezone.localdate())
        attach_item(None, case, self.item)
        out = Path(mkdtemp()) / "production.zip"
        export_case(case, out)
        with zipfile.ZipFile(out) as z:
            [line] = [json.loads(row) for row in z.read("items.jsonl").splitlines()]
        record = line["published_from_draft"]
        self.assertEqual(record["content_hash"], self.draft_.content_hash)
        self.assertEqual([a["step"] for a in record["approvals"]], [1, 2])
        self.assertEqual(record["drafted_by"], str(self.person(Role.EDITOR)))
