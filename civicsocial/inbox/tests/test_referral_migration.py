"""Issue 16: the six 311 fields of an inbox item became a Referral. A database that
referred residents before the change keeps every value after it."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicsocial.testing import CommittedTestCase

# The archive as it was then too (its item's platform id was still `item_id`).
ARCHIVE_THEN = ("records", "0007_case_holds")
BEFORE = [("inbox", "0003_label_rows"), ARCHIVE_THEN]
AFTER = [("inbox", "0004_referrals"), ARCHIVE_THEN]


class ReferralMigrationTestCase(CommittedTestCase):
    def migrate(self, target: list[tuple[str, str]]):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    def tearDown(self) -> None:
        self.migrate(executor_leaf_nodes())

    def test_it_moves_every_referral_and_only_referrals(self):
        apps = self.migrate(BEFORE)
        agency = apps.get_model("registry", "Agency").objects.create(name="Alpha", slug="alpha")
        account = apps.get_model("registry", "Account").objects.create(
            agency=agency, platform="bluesky", handle="alpha.example", account_type="agency")
        stream = apps.get_model("records", "ArchiveStream").objects.create(
            platform="bluesky", handle="alpha.example", account=account)
        archived = apps.get_model("records", "ArchivedItem")
        inbox = apps.get_model("inbox", "InboxItem")
        checked = datetime(2026, 11, 30, 12, tzinfo=UTC)
        referred, quiet = (inbox.objects.create(
            item=archived.objects.create(stream=stream, item_id=name, kind="comment",
                                         first_captured_at=checked, last_captured_at=checked),
            account=account, captured_at=checked, **fields)
            for name, fields in [("c1", {"referral_reply": "r1", "service_request_id": "311-7",
                                         "service_request_token": "t7", "service_request_status": "open",
                                         "service_request_notes": "crew sent",
                                         "service_request_checked_at": checked}),
                                 ("c2", {})])

        apps = self.migrate(AFTER)
        referrals = apps.get_model("inbox", "Referral").objects.all()
        self.assertEqual([(r.entry_id, r.reply_id, r.request_id, r.request_token, r.status, r.notes,
                           r.checked_at) for r in referrals],
                         [(referred.pk, "r1", "311-7", "t7", "open", "crew sent", checked)])
        self.assertFalse(referrals.filter(entry_id=quiet.pk).exists())


def executor_leaf_nodes() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
