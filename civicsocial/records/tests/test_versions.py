"""P25: every capture compared with the last version; unchanged is not stored again,
an edit is a new version, a removal is a deletion version, earlier content stays."""

from django.test import TestCase

from civicsocial.records.models import ArchivedItem, ArchiveStream, Change, ItemVersion
from civicsocial.records.tests.helpers import archive, line
from civicsocial.registry.models import Agency, Person
from civicsocial.registry.services import register_existing_account


class VersionsTestCase(TestCase):
    def changes(self, item_id: str = "p1") -> list[str]:
        return list(ItemVersion.objects.filter(item__platform_id=item_id)
                    .order_by("version_no").values_list("change", flat=True))

    def test_it_stores_an_unchanged_capture_once(self):
        result = archive(line(), line(minutes=5), line(minutes=10))
        self.assertEqual(self.changes(), [Change.CREATED])
        self.assertEqual(result.counts["unchanged"], 2)

    def test_it_keeps_every_edit_as_a_version(self):
        archive(line(), line(minutes=5, text="Edited once"), line(minutes=9, text="Edited twice"))
        self.assertEqual(self.changes(), [Change.CREATED, Change.EDITED, Change.EDITED])
        texts = list(ItemVersion.objects.order_by("version_no")
                     .values_list("content__text", flat=True))
        self.assertEqual(texts, ["Text of p1", "Edited once", "Edited twice"])
        self.assertTrue(ArchivedItem.objects.get().edited)

    def test_it_keeps_removed_content_as_a_deletion_version(self):
        archive(line(), line(minutes=5, text="", deleted=True), line(minutes=6, text="", deleted=True))
        self.assertEqual(self.changes(), [Change.CREATED, Change.DELETED])
        item = ArchivedItem.objects.get()
        self.assertTrue(item.deleted)
        self.assertEqual(ItemVersion.objects.get(version_no=1).content.text, "Text of p1")

    def test_it_notes_an_item_that_comes_back(self):
        archive(line(), line(minutes=5, deleted=True), line(minutes=9))
        self.assertEqual(self.changes(), [Change.CREATED, Change.DELETED, Change.RESTORED])
        self.assertFalse(ArchivedItem.objects.get().deleted)

    def test_it_is_idempotent_when_the_same_captures_come_again(self):
        lines = [line(), line(minutes=5, text="Edited"), line("p2", minutes=6)]
        archive(*lines)
        before = ItemVersion.objects.count()
        result = archive(*lines)
        self.assertEqual(ItemVersion.objects.count(), before)
        self.assertEqual(result.counts["unchanged"], 3)

    def test_it_does_not_mistake_an_old_capture_replayed_for_an_edit(self):
        """After a crash an importer may replay earlier lines: as of their capture time
        they are unchanged, so they add nothing."""
        archive(line(), line(minutes=5, text="Edited"))
        archive(line(minutes=1))
        self.assertEqual(self.changes(), [Change.CREATED, Change.EDITED])

    def test_it_keeps_media_once_by_sha256(self):
        media = [{"url": "https://cdn.example/a.png", "content_type": "image/png",
                  "data": "aGVsbG8="}]
        archive(line(media=media), line("p2", media=media))
        shas = {v.content.media[0]["sha256"] for v in ItemVersion.objects.all()}
        self.assertEqual(shas, {"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"})

    def test_it_keeps_items_of_unregistered_accounts_flagged(self):
        """P1: an account not in the registry is archived, never dropped, and flagged."""
        agency = Agency.objects.create(name="DOT", slug="dot", email_domains="dot.nyc.gov")
        ods = Person.objects.create(username="ods")
        register_existing_account(ods, agency, {
            "platform": "bluesky", "handle": "@dotnyc", "url": "https://bsky.example/dotnyc",
            "login_identity": "social@dot.nyc.gov", "account_type": "agency", "owner": None,
            "topic_limited": False, "topic_statement": "", "sensitive_audience": False}, "test")
        archive(line(), line("x1", account="@dot_nyc_official"))
        registered = ArchiveStream.objects.get(handle="@dotnyc")
        unknown = ArchiveStream.objects.get(handle="@dot_nyc_official")
        self.assertIsNotNone(registered.account)
        self.assertIsNone(unknown.account)
        self.assertEqual(unknown.items.count(), 1)
