"""Issue 16: capture archives through one seam, and the apps that care are told after
the commit. A receiver that fails is logged; it never undoes or stops archiving."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from django.test import TestCase

from civicsocial.records import announce, tasks
from civicsocial.records.announce import archive_and_announce, on_archived
from civicsocial.records.archive import ArchiveResult
from civicsocial.records.capture import parse_capture
from civicsocial.records.models import ArchivedItem
from civicsocial.records.tests.helpers import line

APPS = Path(__file__).resolve().parents[2]


class AnnounceTestCase(TestCase):
    def setUp(self) -> None:
        self.heard: list[ArchiveResult] = []
        self.saved = list(announce._receivers)
        self.addCleanup(lambda: announce._receivers.__setitem__(slice(None), self.saved))

    def test_it_tells_every_receiver_even_after_one_fails(self):
        def broken(result: ArchiveResult) -> None:
            raise RuntimeError("triage is down")

        on_archived(broken)
        on_archived(self.heard.append)
        on_archived(self.heard.append)  # subscribing twice is subscribing once
        with self.assertLogs("civicsocial.records.announce", "ERROR") as logs:
            result = archive_and_announce([parse_capture(line("c1"))])
        self.assertIn("its sweep retries", logs.output[0])
        self.assertEqual(self.heard, [result])
        self.assertTrue(ArchivedItem.objects.filter(platform_id="c1").exists())  # kept

    def test_it_saves_what_goes_alongside_in_the_same_transaction(self):
        def refuse(result: ArchiveResult) -> None:
            raise RuntimeError("the cursor could not be saved")

        on_archived(self.heard.append)
        with self.assertRaises(RuntimeError):
            archive_and_announce([parse_capture(line("c1"))], alongside=refuse)
        self.assertFalse(ArchivedItem.objects.filter(platform_id="c1").exists())  # all or nothing
        self.assertEqual(self.heard, [])  # nothing announced that was not kept

    def test_it_announces_nothing_when_nothing_changed(self):
        archive_and_announce([parse_capture(line("c1"))])
        on_archived(self.heard.append)
        archive_and_announce([parse_capture(line("c1"))])  # the same capture again
        self.assertEqual(self.heard, [])

    def test_it_announces_through_the_worker_queue_when_asked(self):
        # Issue 17: the firehose hands triage to the workers, so it goes on reading in a
        # burst. (Tests run Huey's tasks at once; the task carries plain lists of keys.)
        on_archived(self.heard.append)
        huey = tasks.announce_archived.huey
        with mock.patch.object(huey, "enqueue", wraps=huey.enqueue) as queued:
            result = archive_and_announce([parse_capture(line("c1")), parse_capture(line("c2"))],
                                          queued=True)
        self.assertEqual([call.args[0].name for call in queued.call_args_list], ["announce_archived"])
        self.assertEqual([(dict(r.counts), r.new_items) for r in self.heard],
                         [({"created": 2}, result.new_items)])

    def test_it_keeps_the_archive_when_the_queue_is_down(self):
        on_archived(self.heard.append)
        with mock.patch.object(tasks.announce_archived, "huey") as huey, \
                self.assertLogs("civicsocial.records.announce", "ERROR") as logs:
            huey.enqueue.side_effect = ConnectionError("Redis is down")
            archive_and_announce([parse_capture(line("c1"))], queued=True)
        self.assertIn("the sweeps pick them up", logs.output[0])
        self.assertTrue(ArchivedItem.objects.filter(platform_id="c1").exists())
        self.assertEqual(self.heard, [])  # the inbox's sweep triages it later
