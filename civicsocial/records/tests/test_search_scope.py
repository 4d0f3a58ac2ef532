"""Issue 21: "leave out removed items", a kind and an exact count are answered inside
the search index (its scope column, on SQLite), so the index must follow an item removed
from its platform, restored, removed and restored in one batch, or given more versions,
on both engines; and the versions' own query (`search`) stays the reference."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from civicsocial.records.search import backends
from civicsocial.records.search.backends import Scope
from civicsocial.records.search.service import Filters, search, search_page
from civicsocial.records.tests.helpers import archive, line
from civicsocial.records.tests.test_search import QUERIES, corpus
from civicsocial.testing import CommittedTestCase


def found(words: str, filters: Filters) -> set[str]:
    """The items an exact-count search from the index finds, checked against the
    versions' own query."""
    results = search_page(words, filters, None, 1, per_page=100, exact_count=True)
    hits = {h.item_id for h in results.hits}
    assert results.total == len(hits), (results.total, hits)
    assert hits == {h.item_id for h in search(words, filters)}, words
    return hits


class RemovedItemsTestCase(TestCase):
    def test_it_follows_items_removed_and_restored_across_batches(self):
        archive(*[line(name, text=f"pothole on {name}") for name in ("a", "b", "c", "d")])
        archive(line("a", minutes=5, text="", deleted=True), line("b", minutes=5, text="", deleted=True))
        left_out = Filters(exclude_deleted=True)
        self.assertEqual(found("pothole", left_out), {"c", "d"})
        # b comes back with new words; c is removed and restored in one batch; d removed
        archive(line("b", minutes=9, text="pothole fixed"),
                line("c", minutes=9, text="", deleted=True), line("c", minutes=10, text="pothole again"),
                line("d", minutes=9, text="", deleted=True))
        self.assertEqual(found("pothole", left_out), {"b", "c"})
        self.assertEqual(found("pothole", Filters()), {"a", "b", "c", "d"})
        self.assertEqual(found("on", left_out), {"b", "c"})  # their first versions' words too
        archive(line("b", minutes=20, text="", deleted=True))
        self.assertEqual(found("pothole", left_out), {"c"})

    def test_it_keeps_a_removal_seen_first(self):
        archive(line("gone", text="pothole", deleted=True), line("up", text="pothole"))
        self.assertEqual(found("pothole", Filters(exclude_deleted=True)), {"up"})


    def test_it_keeps_state_words_only_where_searches_read_them(self):
        # SQLite's searches read them; PostgreSQL joins instead, and re-marking its rows
        # would write each one again for nothing.
        archive(line("gone", text="pothole"), line("edited", text="pothole"))
        archive(line("gone", minutes=5, text="", deleted=True), line("edited", minutes=5, text="pothole!"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT scope FROM records_searchindex")
            words = {word for (scope,) in cursor.fetchall() for word in scope.split()}
        self.assertEqual({"removed", "several"} <= words, connection.vendor == "sqlite")
        self.assertEqual({"removed", "several"} & words == set(), connection.vendor != "sqlite")
        self.assertEqual(found("pothole", Filters(exclude_deleted=True)), {"edited"})


class KindsTestCase(TestCase):
    def test_it_narrows_to_each_kind_whether_common_or_rare(self):
        # Mostly comments: on SQLite the index leaves out the other kinds for "comment"
        # (their lists are shorter) and asks for the kind's own word for the rest.
        archive(*[line(f"c{n}", text="snow plow", kind="comment") for n in range(12)],
                *[line(f"p{n}", text="snow plow", kind="post") for n in range(3)],
                line("r0", text="snow", kind="reply"), line("gone", text="snow", kind="comment"),
                line("gone", minutes=3, text="", deleted=True))
        if connection.vendor == "sqlite":
            self.assertIn("NOT", Scope(kind="comment").terms())
            self.assertNotIn("NOT", Scope(kind="post").terms())
        self.assertEqual(found("snow", Filters(kind="comment")), {f"c{n}" for n in range(12)} | {"gone"})
        self.assertEqual(found("snow", Filters(kind="comment", exclude_deleted=True)),
                         {f"c{n}" for n in range(12)})
        self.assertEqual(found("snow", Filters(kind="post")), {"p0", "p1", "p2"})
        self.assertEqual(found("snow", Filters(kind="reply")), {"r0"})
        self.assertEqual(found("plow", Filters(kind="message")), set())


class ExactCountTestCase(TestCase):
    """An exact count of many items is made from the index (SQLite): every matching
    version, less those of items with several versions, told apart. EXACT_PROBE is
    lowered so that the small corpus takes that way."""

    def counted_by_versions(self):
        return mock.patch.multiple(backends, EXACT_PROBE=0)

    def test_it_counts_an_item_of_several_versions_once(self):
        archive(*[line(name, text=f"pothole on {name}") for name in ("a", "b", "c")])
        archive(line("a", minutes=5, text="pothole fixed"), line("b", minutes=5, text="all clear"))
        archive(line("a", minutes=9, text="pothole back"), line("d", text="pothole"),
                line("d", minutes=1, text="pothole still"))
        with self.counted_by_versions(), mock.patch.object(
                backends, "_count_by_versions", wraps=backends._count_by_versions) as by_versions:
            self.assertEqual(found("pothole", Filters()), {"a", "b", "c", "d"})
            self.assertEqual(found("clear", Filters()), {"b"})
            self.assertEqual(found("pothole -on", Filters()), {"a", "d"})
        self.assertEqual(by_versions.called, connection.vendor == "sqlite")

    def test_it_counts_what_the_versions_give_for_every_query(self):
        archive(*corpus())
        with self.counted_by_versions():
            for query in QUERIES:
                for filters in (Filters(), Filters(kind="comment"), Filters(exclude_deleted=True),
                                Filters(account="@dotnyc", kind="post", exclude_deleted=True)):
                    found(query, filters)


BEFORE = [("records", "0015_removed_items_index")]


class RemovedItemsMigrationTestCase(CommittedTestCase):
    def migrate(self, target: list[tuple[str, str]]) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target)

    def test_it_marks_the_items_state_the_index_did_not_know(self):
        self.migrate(BEFORE)
        archive(line("gone", text="pothole"), line("up", text="pothole"), line("edited", text="pothole"))
        archive(line("gone", minutes=5, text="", deleted=True), line("edited", minutes=5, text="pothole!"))
        with connection.cursor() as cursor:  # the index as written before its state words
            cursor.execute("UPDATE records_searchindex SET scope = "
                           "replace(replace(scope, ' removed', ''), ' several', '')")
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        self.assertEqual(found("pothole", Filters(exclude_deleted=True)), {"up", "edited"})
        with mock.patch.multiple(backends, EXACT_PROBE=0):
            self.assertEqual(found("pothole", Filters()), {"gone", "up", "edited"})
