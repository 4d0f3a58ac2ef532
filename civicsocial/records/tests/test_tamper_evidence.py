"""Tamper evidence: `verify` catches every change, deletion, insertion or reordering,
naming the first broken link; a full rewrite of a chain is caught against seals
exported earlier. The database refuses the changes outright; these tests lift its
guards first, as an attacker with the server's credentials could."""

from datetime import timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from civicsocial.records import hashing
from civicsocial.records.integrity import (
    export_seals,
    seal_days,
    verify,
    version_content_hash,
    version_record,
)
from civicsocial.records.models import ArchiveStream, DailySeal, ItemVersion, VersionContent
from civicsocial.records.search.backends import doc_id, unindex_versions
from civicsocial.records.tests.helpers import archive, as_attacker, line

MUTATIONS = ["text", "raw", "author", "hash_byte", "delete", "delete_last", "insert",
             "swap", "rewrite_from"]


def build_archive() -> None:
    lines = []
    for n in range(8):
        lines.append(line(f"c{n}", minutes=n, text=f"comment number {n}"))
        if n % 3 == 0:
            lines.append(line(f"c{n}", minutes=n + 20, text=f"comment number {n}, edited"))
    archive(*lines)


def mutate(kind: str, index: int) -> None:
    versions = list(ItemVersion.objects.order_by("chain_seq"))
    target = versions[index % len(versions)]
    with as_attacker():
        if kind == "text":
            VersionContent.objects.filter(pk=target.pk).update(text="Nothing was said here.")
        elif kind == "raw":
            VersionContent.objects.filter(pk=target.pk).update(raw='{"id": "forged"}')
        elif kind == "author":
            VersionContent.objects.filter(pk=target.pk).update(author="@someone_else")
        elif kind == "hash_byte":
            flipped = ("0" if target.content_hash[5] != "0" else "1")
            ItemVersion.objects.filter(pk=target.pk).update(
                content_hash=target.content_hash[:5] + flipped + target.content_hash[6:])
        elif kind in ("delete", "delete_last"):
            victim = versions[-1] if kind == "delete_last" else target
            unindex_versions([doc_id(victim.item_id, victim.version_no)])
            VersionContent.objects.filter(pk=victim.pk).delete()
            ItemVersion.objects.filter(pk=victim.pk).delete()
        elif kind == "insert":
            # Renumber the tail and slip a well-formed forged version in at `target`.
            seq = target.chain_seq
            for v in reversed(versions[versions.index(target):]):
                ItemVersion.objects.filter(pk=v.pk).update(chain_seq=v.chain_seq + 1)
            forged = ItemVersion(item=target.item, stream=target.stream, version_no=99,
                                 change="edited", captured_at=target.captured_at,
                                 content_hash=target.content_hash, raw_hash=target.raw_hash,
                                 chain_seq=seq, prev_hash=target.prev_hash)
            forged.chain_hash = hashing.chain_hash(target.prev_hash,
                                                   version_record(forged, target.item.platform_id))
            forged.save()
        elif kind == "swap":
            other = versions[(index + 1) % len(versions)]
            if other.pk == target.pk:
                other = versions[0] if target != versions[0] else versions[1]
            ItemVersion.objects.filter(pk=target.pk).update(chain_seq=-1)
            ItemVersion.objects.filter(pk=other.pk).update(chain_seq=target.chain_seq)
            ItemVersion.objects.filter(pk=target.pk).update(chain_seq=other.chain_seq)
        elif kind == "rewrite_from":
            rewrite_chain_from(target, "A rewritten comment.")


def rewrite_chain_from(target: ItemVersion, text: str) -> None:
    """The strongest attack: change content and recompute every later link and the head."""
    VersionContent.objects.filter(pk=target.pk).update(text=text)
    prev = target.prev_hash
    for version in ItemVersion.objects.filter(stream=target.stream,
                                              chain_seq__gte=target.chain_seq) \
            .select_related("item", "content").order_by("chain_seq"):
        version.content_hash = version_content_hash(version, version.content, version.item.kind)
        version.chain_hash = hashing.chain_hash(prev, version_record(version, version.item.platform_id))
        ItemVersion.objects.filter(pk=version.pk).update(
            content_hash=version.content_hash, prev_hash=prev, chain_hash=version.chain_hash)
        prev = version.chain_hash
    ArchiveStream.objects.filter(pk=target.stream_id).update(head_hash=prev)


class TamperPropertyTestCase(HypothesisTestCase):
    @settings(max_examples=45, deadline=None)
    @given(kind=st.sampled_from(MUTATIONS), index=st.integers(min_value=0, max_value=50))
    def test_it_catches_every_mutation(self, kind, index):
        build_archive()
        self.assertTrue(verify().ok)
        seal_days(before=timezone.now().date() + timedelta(days=1))
        seals = export_seals()
        mutate(kind, index)
        report = verify(against=seals)
        self.assertFalse(report.ok, f"{kind} at {index} went unnoticed")


class TamperReportTestCase(HypothesisTestCase):
    def setUp(self) -> None:
        build_archive()

    def test_it_names_the_first_broken_link(self):
        target = ItemVersion.objects.get(chain_seq=4)
        with as_attacker():
            VersionContent.objects.filter(pk=target.pk).update(text="changed")
        problems = verify().problems
        self.assertEqual(len(problems), 1)
        self.assertIn("first broken link at sequence 4", problems[0])
        self.assertIn("content does not match", problems[0])

    def test_it_needs_exported_seals_to_catch_a_full_rewrite(self):
        seal_days(before=timezone.now().date() + timedelta(days=1))
        seals = export_seals()
        with as_attacker():
            rewrite_chain_from(ItemVersion.objects.get(chain_seq=2), "rewritten")
            DailySeal.objects.all().delete()  # the attacker removes the stored seals too
        self.assertTrue(verify().ok)  # internally consistent again
        report = verify(against=seals)
        self.assertFalse(report.ok)
        self.assertIn("exported seal", report.problems[0])

    def test_the_database_refuses_changes_without_an_attacker(self):
        version = ItemVersion.objects.first()
        for attempt in (lambda: ItemVersion.objects.filter(pk=version.pk).update(change="x"),
                        lambda: ItemVersion.objects.filter(pk=version.pk).delete(),
                        lambda: VersionContent.objects.filter(pk=version.pk).update(text="x"),
                        lambda: VersionContent.objects.filter(pk=version.pk).delete()):
            with self.assertRaises(DatabaseError), transaction.atomic():
                attempt()
        self.assertTrue(verify().ok)
