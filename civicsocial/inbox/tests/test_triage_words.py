"""The word lists match whole words from their start: "ice" is not in "notice", nor "fell"
in "fellow" (each once put a legal-notice hold on harmless comments), while Chinese,
which has no spaces, still matches inside a sentence."""

from __future__ import annotations

from django.test import SimpleTestCase

from civicsocial.inbox.triage import triage, word_start


class WordsTestCase(SimpleTestCase):
    def test_it_finds_no_hazard_inside_other_words(self):
        for text in ["Thanks for the notice", "My fellow New Yorkers, thank you",
                     "The police office service was polite", "Great price, good advice"]:
            self.assertNotIn("dangerous_condition", triage(text).labels, text)

    def test_it_still_finds_the_words_themselves(self):
        for text in ["Black ice on the subway stairs", "My mother fell on the broken curb",
                     "这条路坏了 有人摔倒"]:
            self.assertIn("dangerous_condition", triage(text).labels, text)

    def test_it_anchors_latin_patterns_only(self):
        self.assertEqual(word_start("ice"), r"\bice")
        self.assertEqual(word_start("(?:black )?ice"), r"\b(?:black )?ice")
        self.assertEqual(word_start("(?:人行道|路)坏"), "(?:人行道|路)坏")
        self.assertEqual(word_start(r"\bpothole"), r"\bpothole")


class WordCachedNgramsTestCase(SimpleTestCase):
    def test_it_gives_the_same_features_as_scikit_learns_char_wb(self):
        # The model counts character n-grams once per distinct word (model.py): on every
        # labelled comment and on odd text, the matrix must equal scikit-learn's own.
        import json

        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        from civicsocial.inbox.triage import normalize
        from civicsocial.inbox.triage.model import TRAINING_FILE, WordCachedCharNgrams

        texts = [normalize(json.loads(line)["text"])
                 for line in TRAINING_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
        odd = ["", "  a\tb\n\ncd  ", "🚧🚧 x", "שלום עולם", "words never seen before", "a" * 5000]
        options = {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True,
                   "lowercase": False, "dtype": np.float32}
        theirs = TfidfVectorizer(**options).fit(texts[::2])
        ours = WordCachedCharNgrams(**options).fit(texts[::2])
        for batch in (texts[1::2], texts, odd):
            difference = theirs.transform(batch) - ours.transform(batch)
            self.assertEqual(difference.count_nonzero(), 0)
        # Fitted again on other comments, it forgets the old vocabulary's word features.
        theirs.fit(texts[1::2])
        ours.fit(texts[1::2])
        self.assertEqual((theirs.transform(texts) - ours.transform(texts)).count_nonzero(), 0)
