"""Phrases (issue 21): on SQLite a phrase is found by its word pairs (text.word_pairs),
side by side in the index's pairs column, not by word positions; it must find exactly
what the reference (query.matches) finds, on both engines, and an index made before the
pairs column existed must be made again with them (migration 0017)."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from civicsocial.records.search.backends import add_word_pairs
from civicsocial.records.search.query import matches, parse, to_fts5
from civicsocial.records.search.service import Filters, search, search_page
from civicsocial.records.tests.helpers import archive, line

TEXTS = [
    "Water main break on 5th Avenue",
    "the main water valve",
    "water, the main thing",
    "Water main. Break reported",  # punctuation is not a word: still side by side
    "water main and a break",
    "water water everywhere",
    "water",
    "main break water main break",
    "Élan Street water-main",  # accents folded, a hyphen splits words
    "elan street",
    "a water_main with an underscore",  # '_' joins a pair's words: never part of a word
    # Letters of a script newer than SQLite's Unicode 6.1 tables (Ahom, Unicode 8): its
    # tokenizer and Python's words must still agree on where their words end.
    "\U00011700\U00011701 \U00011702 water",
    "\U00011700 \U00011701 \U00011702 water",
]
PHRASES = ['"water main"', '"water main break"', '"main break water"', '"water water"',
           '"break water"', '"elan street"', '"street water main"', '"water main" -"main break"',
           '"water main" OR "main water"', '"water main break" water', '"main water valve"',
           '"water main water"', '"water_main"', '"main thing" OR street',
           '"\U00011700\U00011701 \U00011702"', '"\U00011701 \U00011702 water"', '"\U00011700 \U00011701"']


class PhraseTestCase(TestCase):
    def setUp(self) -> None:
        archive(*[line(f"t{n}", text=text) for n, text in enumerate(TEXTS)])

    def reference(self, query: str) -> set[str]:
        return {f"t{n}" for n, text in enumerate(TEXTS) if matches(parse(query), text)}

    def test_it_finds_exactly_the_texts_where_the_words_stand_side_by_side(self):
        for query in PHRASES:
            with self.subTest(query=query):
                self.assertEqual({hit.item_id for hit in search(query)}, self.reference(query))
                first = search_page(query, Filters(), None, 1, per_page=50)
                self.assertEqual({hit.item_id for hit in first.hits}, self.reference(query))
                self.assertEqual(first.total, len(self.reference(query)))
        self.assertEqual(self.reference('"water main break"'), {"t0", "t3", "t7"})

    def test_it_asks_sqlite_for_a_phrase_as_its_pairs_side_by_side(self):
        self.assertEqual(to_fts5(parse('"Water main break" pot*')),
                         '({pairs} : "water_main main_break") AND ({body} : "pot"*)')

    def test_it_finds_the_phrases_of_an_edited_item_in_each_version(self):
        archive(line("t0", minutes=5, text="Water main fixed"))
        hit = search_page('"water main"', Filters(), None, 1, per_page=50)
        self.assertEqual(dict((h.item_id, h.matched_versions) for h in hit.hits)["t0"], [1, 2])
        self.assertEqual(search_page('"main fixed"', Filters(), None, 1).hits[0].matched_versions, [2])


@skipUnless(connection.vendor == "sqlite", "PostgreSQL's index has no pairs column")
class PairsMigrationTestCase(TestCase):
    def test_it_makes_an_index_without_pairs_again_with_them(self):
        archive(*[line(f"t{n}", text=text) for n, text in enumerate(TEXTS)])
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, body, scope FROM records_searchindex ORDER BY rowid")
            rows = cursor.fetchall()
            cursor.execute("DROP TABLE records_searchindex")  # as migration 0012 made it
            cursor.execute("CREATE VIRTUAL TABLE records_searchindex USING fts5("
                           "body, scope, tokenize = 'unicode61 remove_diacritics 0')")
            cursor.executemany("INSERT INTO records_searchindex(rowid, body, scope) VALUES (%s, %s, %s)",
                               rows)
        add_word_pairs()
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, body, scope FROM records_searchindex ORDER BY rowid")
            self.assertEqual(cursor.fetchall(), rows)  # words and scope as they were
            cursor.execute("SELECT pairs FROM records_searchindex WHERE body = %s",
                           ["water main break on 5th avenue"])
            self.assertEqual(cursor.fetchone()[0], "water_main main_break break_on on_5th 5th_avenue")
        self.assertEqual({hit.item_id for hit in search('"water main break"')}, {"t0", "t3", "t7"})
