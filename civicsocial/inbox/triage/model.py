"""The learned half of triage: one logistic regression per routing label over word and
character n-grams (scikit-learn), trained at first use on the labelled comments shipped
in data/labelled.jsonl (a copy of ../shared/triage/dev.jsonl).

It catches phrasings the word lists miss (for service requests, hazards, records requests,
questions and complaints, where missing one costs a resident). The deletion grounds stay
with the word lists alone: a wrong ground on a complaint would silence protected speech.
Measured by cross-validation in evaluate.py, never on the comments it learned from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

TRAINING_FILE = Path(__file__).with_name("data") / "labelled.jsonl"
# Probability above which the model adds a label; low, because these labels are about recall
# (chosen by cross-validation on the labelled comments).
THRESHOLDS = {"service_request": 0.35, "dangerous_condition": 0.25, "records_request": 0.3,
              "question": 0.35, "complaint": 0.35}


class WordCachedCharNgrams(TfidfVectorizer):
    """scikit-learn's character n-grams within word boundaries (`char_wb`), counted once
    per distinct word: comments share most of their words, and counting the n-grams of
    every word of every comment anew was two thirds of triage's time. A comment's counts
    are the sum of its words' (char_wb pads and cuts each word alone), so the features are
    the same; tests/test_triage_words.py compares the two on every labelled comment.
    Only the transform of a fitted vocabulary takes this path (scikit-learn 1.9, pinned)."""

    def _count_vocab(self, raw_documents: Iterable[str], fixed_vocab: bool) -> Any:
        plain = (self.analyzer == "char_wb" and not self.lowercase and not self.preprocessor
                 and not self.strip_accents and not self.binary)
        if not fixed_vocab:
            self._features_of_word = None  # a new vocabulary: the words' features are stale
        if not fixed_vocab or not plain:
            return super()._count_vocab(raw_documents, fixed_vocab)
        features = self._word_features()

        indices: list[int] = []
        indptr = [0]
        for document in raw_documents:
            for word in document.split():
                indices.extend(features(word))
            indptr.append(len(indices))
        # Repeated entries in a row are summed into counts (scipy, in C).
        matrix = sparse.csr_matrix((np.ones(len(indices), dtype=self.dtype),
                                    np.asarray(indices, dtype=np.int32),
                                    np.asarray(indptr, dtype=np.int32)),
                                   shape=(len(indptr) - 1, len(self.vocabulary_)))
        matrix.sum_duplicates()
        return self.vocabulary_, matrix

    def _word_features(self) -> Callable[[str], tuple[int, ...]]:
        """A word's n-gram features, one entry per occurrence; kept across calls (the
        vocabulary is fixed once fitted) for the 50,000 most recent words (a few MB)."""
        cached = getattr(self, "_features_of_word", None)
        if cached is None:
            vocabulary: dict[str, int] = self.vocabulary_
            ngrams = self._char_wb_ngrams

            @lru_cache(maxsize=50_000)
            def cached(word: str) -> tuple[int, ...]:
                return tuple(vocabulary[g] for g in ngrams(word) if g in vocabulary)

            self._features_of_word = cached
        return cast(Callable[[str], tuple[int, ...]], cached)


@dataclass
class TriageModel:
    features: FeatureUnion
    classifiers: dict[str, LogisticRegression]
    words: np.ndarray  # the word features' names, for reasons

    def predict(self, texts: Sequence[str]) -> list[dict[str, str]]:
        """For each (normalized) text, the labels the model adds and why."""
        # Inputs are our own vectors: skipping scikit-learn's argument checks saves a fifth
        # of the time of a one-comment call (a streamed reply).
        with config_context(assume_finite=True, skip_parameter_validation=True):
            matrix = self.features.transform(texts).tocsr()
            probabilities_of = {label: classifier.predict_proba(matrix)[:, 1]
                                for label, classifier in self.classifiers.items()}
        found: list[dict[str, str]] = [{} for _ in texts]
        for label, classifier in self.classifiers.items():
            probabilities = probabilities_of[label]
            for row in np.flatnonzero(probabilities >= THRESHOLDS[label]):
                span = slice(matrix.indptr[row], matrix.indptr[row + 1])
                found[row][label] = self._reason(matrix.indices[span], matrix.data[span],
                                                 classifier, probabilities[row])
        return found

    def _reason(self, indices: np.ndarray, values: np.ndarray, classifier: LogisticRegression,
                probability: float) -> str:
        # Only the row's non-zero word features can weigh in (read straight from the CSR
        # arrays: no row copy, no dense row).
        words = indices < len(self.words)
        order = np.argsort(indices[words])  # ties go to the earlier feature, every time
        columns, data = indices[words][order], values[words][order]
        weights = data * classifier.coef_[0][columns]
        top = [self.words[columns[i]] for i in np.argsort(-weights, kind="stable")[:3]
               if weights[i] > 0]
        return f"model {probability:.2f}" + (f": {', '.join(top)}" if top else "")


def train(rows: Iterable[dict[str, Any]]) -> TriageModel:
    """A model from labelled rows (normalized texts with their labels)."""
    from civicsocial.inbox.triage import normalize

    rows = list(rows)
    texts = [normalize(str(row.get("text", ""))) for row in rows]
    # Texts come lower-cased from normalize(): no second pass; float32 halves the matrices.
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                           lowercase=False, dtype=np.float32)
    features = FeatureUnion([("word", word), ("char", WordCachedCharNgrams(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=False,
        dtype=np.float32))])
    matrix = features.fit_transform(texts)
    classifiers = {}
    for label in THRESHOLDS:
        truth = np.array([label in row.get("labels", []) for row in rows])
        if 0 < truth.sum() < len(rows):
            classifiers[label] = LogisticRegression(C=10, class_weight="balanced",
                                                    max_iter=2000).fit(matrix, truth)
    return TriageModel(features, classifiers, word.get_feature_names_out())


@cache
def shipped_model() -> TriageModel:
    """The model trained on the shipped labelled comments (once per process, about 1 s)."""
    lines = TRAINING_FILE.read_text(encoding="utf-8").splitlines()
    return train(json.loads(line) for line in lines if line.strip())
