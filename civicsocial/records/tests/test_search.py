"""Records search: whole words, case- and accent-insensitive, prefixes, phrases,
exclusions, OR; every version of every item, removed ones included. The engine in use
(SQLite FTS5 or PostgreSQL full text) must agree with the reference semantics in
Python on one corpus; `make test` runs this on both engines, so they agree with each other."""

import random
from datetime import date
from unittest import mock

from django.test import TestCase

from civicsocial.records.models import ArchiveStream
from civicsocial.records.search.query import Query, QueryError, matches, parse, to_fts5, to_tsquery
from civicsocial.records.search.service import Filters, count_matching, highlight, search, search_page
from civicsocial.records.tests.helpers import archive, line

WORDS = ["pothole", "potholes", "water", "main", "break", "Broadway", "school", "café",
         "Élan", "street", "graffiti", "noise", "permit", "résumé", "FOIL", "records",
         "request", "hydrant", "leak", "sidewalk", "tree", "down", "ice", "snow", "rat"]
QUERIES = ["pothole", "POTHOLE", "pot*", "potholes", "cafe", "elan", "resume", '"water main"',
           '"main water"', "water -leak", "school OR hydrant", "tree down", "tree OR ice snow",
           '"foil request" OR records', "-graffiti noise", "sidewalk* -ice", "rat", "ra*",
           "street OR street", "éLaN StReEt", "nothinglikethis", "snow ice -tree -rat",
           "permit*", '"broadway"', "leak OR break OR main", "street -street", '"water main" -main',
           "pot* -pothole", "leak OR break -leak -break", '"water main" -"main water"']


def corpus(seed: int = 7, size: int = 120) -> list[dict]:
    rng = random.Random(seed)
    lines = []
    for n in range(size):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))
        lines.append(line(f"i{n}", minutes=n, text=text + rng.choice([".", "!", "?", " :)"]),
                          author=f"@user{n % 7}", kind=rng.choice(["comment", "reply", "post"])))
        if n % 5 == 0:  # an edit: the old words stay findable
            lines.append(line(f"i{n}", minutes=n + 500, text="edited to say " +
                              rng.choice(WORDS), author=f"@user{n % 7}"))
        if n % 11 == 0:
            lines.append(line(f"i{n}", minutes=n + 900, text="", deleted=True))
    return lines


class SearchSemanticsTestCase(TestCase):
    def test_it_parses_the_records_search_language(self):
        q = parse('pot* "water main" -leak a OR b')
        self.assertEqual(len(q.clauses), 3)
        self.assertEqual(q.excluded[0].words, ("leak",))
        self.assertTrue(q.clauses[0][0].prefix)
        self.assertEqual(q.clauses[1][0].words, ("water", "main"))
        self.assertEqual(len(q.clauses[2]), 2)

    def test_it_neutralizes_engine_operators_in_words(self):
        self.assertEqual(to_fts5(parse("NEAR AND NOT")),
                         '({body} : "near") AND ({body} : "and") AND ({body} : "not")')
        self.assertEqual(to_tsquery(parse("x'); DROP")), "(('x')) & (('drop'))")

    def test_it_refuses_a_query_of_exclusions_only(self):
        with self.assertRaises(QueryError):
            parse("-pothole")
        with self.assertRaises(QueryError):
            parse('"unclosed')

    def test_it_knows_a_query_that_leaves_out_what_it_asks_for_matches_nothing(self):
        self.assertTrue(parse("street -street").contradicted)
        self.assertTrue(parse('"water main" -main').contradicted)
        self.assertTrue(parse("leak OR break -leak -break").contradicted)
        self.assertFalse(parse("leak OR break -leak").contradicted)
        self.assertFalse(parse("pot* -pothole").contradicted)
        self.assertFalse(parse('"water mai" -main').contradicted)
        # The shortcut must never drop a match: any text a contradicted query is said to
        # miss, the reference semantics miss too.
        rng = random.Random(11)
        vocabulary = ["a", "ab", "abc", "b", "ba", "c"]
        contradicted = would_match = 0
        for _ in range(3000):
            terms = [rng.choice(['"{} {}"', "{}", "{}*"]).format(*rng.choices(vocabulary, k=2))
                     for _ in range(rng.randint(1, 3))]
            text = " ".join(terms) + " " + " ".join(
                "-" + rng.choice(['"{} {}"', "{}", "{}*"]).format(*rng.choices(vocabulary, k=2))
                for _ in range(rng.randint(1, 2)))
            query = parse(text)
            if query.contradicted:
                contradicted += 1
                for _ in range(30):
                    body = " ".join(rng.choices(vocabulary, k=rng.randint(1, 8)))
                    self.assertFalse(matches(query, body), (text, body))
                    would_match += matches(Query(query.clauses, ()), body)
        self.assertGreater(contradicted, 100)
        self.assertGreater(would_match, 100)  # texts that have what was asked for, not only misses

    def test_it_matches_whole_words_only(self):
        self.assertTrue(matches(parse("pothole"), "A POTHOLE!"))
        self.assertFalse(matches(parse("pothole"), "potholes everywhere"))
        self.assertTrue(matches(parse("pothole*"), "potholes everywhere"))
        self.assertTrue(matches(parse("elan"), "Rue de l'Élan"))


class EngineAgreementTestCase(TestCase):
    def setUp(self) -> None:
        self.lines = corpus()
        archive(*self.lines)

    def reference(self, query: str) -> set[str]:
        q = parse(query)
        return {entry["item_id"] for entry in self.lines if matches(q, entry["text"])}

    def test_it_finds_exactly_what_the_reference_finds(self):
        for query in QUERIES:
            found = {hit.item_id for hit in search(query)}
            self.assertEqual(found, self.reference(query), query)
        self.assertGreater(len({h.item_id for h in search("pothole")}), 5)

    def test_it_pages_and_counts_from_the_index_as_the_filtered_path_does(self):
        # No filters: answered from the index alone; a platform filter every item passes
        # goes through the versions. Both must give the same pages, versions and totals.
        for query in QUERIES:
            pages = []
            for filters in (Filters(), Filters(platform="bluesky")):
                seen = []
                for page in (1, 2, 3):
                    results = search_page(query, filters, None, page, per_page=7)
                    seen += [(h.item_id, tuple(h.matched_versions)) for h in results.hits]
                pages.append((seen, results.total))
            self.assertEqual(pages[0], pages[1], query)
            self.assertEqual(pages[0][1], len(self.reference(query)), query)
            self.assertEqual(len(pages[0][0]), min(21, pages[0][1]), query)

    def test_it_pages_filtered_searches_from_the_index_as_the_versions_give_them(self):
        # Issue 21: words with filters are read from the index in key order, the filters
        # checked as it goes (backends.Scope); the versions' own query (search) is the
        # reference, for every filter and an agency's streams.
        archive(*[line(f"park{n}", account="@parksnyc", text="pothole water main in the park",
                       author="@user3", kind="comment") for n in range(30)])
        since, until = date(2026, 11, 1), date(2026, 10, 31)
        cases = [Filters(), Filters(author="@USER3"), Filters(kind="comment"), Filters(exclude_deleted=True),
                 Filters(since=since), Filters(until=until), Filters(account="@DOTNYC"),
                 Filters(platform="mastodon"), Filters(kind="post", exclude_deleted=True, since=since),
                 # closed ranges: matched in the index's scope column on SQLite (days, months)
                 Filters(since=since, until=since),
                 Filters(since=date(2026, 10, 25), until=date(2026, 12, 2)),
                 Filters(since=date(2026, 10, 1), until=date(2026, 10, 31))]
        scopes = [None, ArchiveStream.objects.filter(handle="@parksnyc"), ArchiveStream.objects.none()]
        for query in QUERIES[:12]:
            for filters in cases:
                for streams in scopes:
                    label = f"{query} {filters} {streams}"
                    expected = [(h.item_id, h.matched_versions)
                                for h in search(query, filters, streams=streams)]
                    got, page, hits = [], 0, [None] * 25
                    while len(hits) == 25:  # until a short page: the last one
                        page += 1
                        hits = search_page(query, filters, streams, page, per_page=25).hits
                        got += [(h.item_id, h.matched_versions) for h in hits]
                    self.assertEqual(got, expected, label)
                    self.assertEqual(search_page(query, filters, streams, 1, exact_count=True).total,
                                     len(expected), label)

    def test_it_counts_up_to_the_cap_unless_asked_for_the_exact_number(self):
        exact = len(self.reference("pothole"))
        with mock.patch("civicsocial.records.search.service.COUNT_CAP", 5):
            first = search_page("pothole", Filters(), None, 1, per_page=3)
            asked = search_page("pothole", Filters(), None, 1, per_page=3, exact_count=True)
            scoped = search_page("pothole", Filters(kind="comment"), ArchiveStream.objects.all(), 1)
        self.assertEqual((first.total, first.exact, len(first.hits)), (5, False, 3))
        self.assertEqual((asked.total, asked.exact), (exact, True))
        self.assertEqual((scoped.total, scoped.exact), (5, False))
        self.assertEqual(count_matching("pothole", Filters()), exact)

    def test_it_searches_removed_and_edited_items_unless_told_otherwise(self):
        removed = {f"i{n}" for n in range(0, 120, 11)}
        everything = {hit.item_id for hit in search("")}
        self.assertEqual(len(everything), 120)
        self.assertTrue(removed <= everything)
        kept = {hit.item_id for hit in search("", Filters(exclude_deleted=True))}
        self.assertEqual(kept, everything - removed)

    def test_it_reports_latest_text_and_every_matching_version(self):
        hits = {h.item_id: h for h in search("edited")}
        self.assertIn("i5", hits)
        self.assertTrue(hits["i5"].text.startswith("edited to say"))
        self.assertEqual(hits["i5"].versions, 2)
        self.assertEqual(hits["i5"].matched_versions, [2])

    def test_it_filters_by_author_kind_and_dates(self):
        by_author = search("", Filters(author="@USER3"))
        self.assertTrue(by_author)
        self.assertTrue(all(h.author == "@user3" for h in by_author))
        posts = search("", Filters(kind="post"))
        self.assertTrue(all(h.kind == "post" for h in posts))
        self.assertEqual(search("", Filters(account="@nobody")), [])
        from datetime import date
        self.assertEqual(search("", Filters(since=date(2026, 11, 2))), [])
        self.assertEqual(len(search("", Filters(until=date(2026, 11, 1)))), 120)

    def test_it_highlights_the_words_found(self):
        pieces = highlight("Huge Pothole on Élan St", "pothole elan")
        self.assertEqual([p for p, hit in pieces if hit], ["Pothole", "Élan"])
