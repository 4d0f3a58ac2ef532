"""The Hyperscan first pass may only add candidate lists, never lose one: every list that
Python's `re` matches in a comment is among its candidates (else triage would miss a
label it used to find)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from civicsocial.inbox.triage import _compiled, normalize
from civicsocial.inbox.triage.prefilter import Prefilter, lexicon_prefilter, loosen

DEV = Path(__file__).resolve().parents[1] / "triage" / "data" / "labelled.jsonl"
# Pieces that the lists look for, so random texts hit them often.
PIECES = ["pothole", "foil", "records", "kill you", "dm me", "f*ck", "hueco", "坑", "free",
          "gift card", "leaving in an ambulance", "how many", "by borough", "?", "!", "\n",
          " ", "é", "🚧", "lives at 12", "www.x.com", "bitcoin trading", "12-34", "ship them back"]


class PrefilterTestCase(SimpleTestCase):
    def assert_superset(self, text: str) -> None:
        normalized = normalize(text)
        candidates = lexicon_prefilter().candidates(normalized)
        for name in lexicon_prefilter().names:
            if _compiled(name).search(normalized):
                self.assertIn(name, candidates, f"{name} lost on {normalized[:80]!r}")

    def test_it_keeps_every_match_on_the_labelled_comments(self):
        for line in DEV.read_text(encoding="utf-8").splitlines():
            if line.strip():
                self.assert_superset(json.loads(line)["text"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=12))
    def test_it_keeps_every_match_on_random_text(self, parts: list[str]) -> None:
        self.assert_superset(" ".join(parts))

    def test_it_names_every_list_for_text_that_is_not_utf8(self):
        self.assertEqual(lexicon_prefilter().candidates("broken \udcff"),
                         set(lexicon_prefilter().names))

    def test_it_compiles_every_list_of_the_lexicon(self):
        self.assertEqual(lexicon_prefilter().always, set())  # else those lists run slowly

    def test_it_runs_a_list_hyperscan_cannot_take_on_every_comment(self):
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": tempfile.mkdtemp()}):
            prefilter = Prefilter({"ODD": [r"\U0001f443"], "PLAIN": ["pothole"]})
        self.assertEqual(prefilter.always, {"ODD"})
        self.assertEqual(prefilter.candidates("a pothole"), {"ODD", "PLAIN"})
        self.assertEqual(prefilter.candidates("nothing"), {"ODD"})

    def test_it_loosens_boundaries_and_gaps_only(self):
        self.assertEqual(loosen(r"\bfoo\b.{0,40}\bbar\\b"), r"foo.*bar\\b")
