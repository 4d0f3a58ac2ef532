"""`archive verify` (and a check started from the pages) while capture goes on: a batch
committed while a stream is being checked is neither a broken chain nor "versions
removed at the end" (the soak caught verify reading the streams' heads first and their
links later). A head moved back, or links written past the head, are still caught."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

from django.test import TestCase

from civicsocial.records import integrity
from civicsocial.records.models import ArchiveStream, ItemVersion
from civicsocial.records.tests.helpers import archive, as_attacker, line

real_versions = integrity._versions


def capture_during_check(when: str):
    """`_versions` with one more capture committed to the stream on the first call:
    before its links are read, or after the last one."""
    calls = []

    def versions(stream: ArchiveStream, after: int = 0) -> Iterator[ItemVersion]:
        first = not calls
        calls.append(after)
        if first and when == "before":
            archive(line(f"late-{when}", minutes=30, text="written during the check"))
        yield from real_versions(stream, after)
        if first and when == "after":
            archive(line(f"late-{when}", minutes=30, text="written during the check"))

    return mock.patch.object(integrity, "_versions", versions)


class VerifyWhileCapturingTestCase(TestCase):
    def setUp(self) -> None:
        archive(*[line(f"c{n}", minutes=n, text=f"comment {n}") for n in range(5)])

    def test_it_checks_links_committed_while_it_reads(self):
        for when in ("before", "after"):
            with self.subTest(when=when), capture_during_check(when):
                report = integrity.verify()
                self.assertEqual(report.problems, [])
                self.assertEqual(report.checked, ItemVersion.objects.count())

    def test_it_still_catches_a_head_put_back(self):
        with as_attacker():
            ArchiveStream.objects.update(head_seq=3)
        problems = integrity.verify().problems
        self.assertEqual(len(problems), 1)
        self.assertIn("the chain ends at 5 but its head says 3 (links past the head", problems[0])

    def test_it_still_catches_links_removed_at_the_end(self):
        last = ItemVersion.objects.order_by("-chain_seq").first()
        with as_attacker():
            last.content.delete()
            last.delete()
        problems = integrity.verify().problems
        self.assertEqual(len(problems), 1)
        self.assertIn("the chain ends at 4 but its head says 5 (versions removed at the end)", problems[0])
