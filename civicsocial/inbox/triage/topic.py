"""Off topic by meaning, for a topic-limited account (P22, issue 13).

A comment is on topic when it is about the topic statement, the post it answers, or the
agency and how it serves people. Shared words cannot tell that ("nobody there ever picks
up the phone" shares none with "Beach and pool season updates" and is criticism of the
agency, protected speech); sentence embeddings can come closer. The model is WordLlama's
static embeddings (256 dimensions), whose weights ship inside the `wordllama` wheel: it
loads from the installed package with downloads disabled, needs no network and embeds
tens of thousands of comments a second on one core.

Off topic is only suggested when a comment is far from the topic, from the post and from
the work of an agency, is long enough to change the subject (not "thanks!"), and is not
addressed to the agency (a complaint, a service request, a hazard, a records request, a
question that is not put to the crowd, or a "you" that speaks to the agency). Where in
doubt, no ground: a missed ground costs a moderator a minute, a false one can silence a
resident. A writer who says so ("off topic but ...") is off topic whatever else the
comment asks, unless it complains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from civicsocial.inbox.triage import SPEAKS_TO_AGENCY

if TYPE_CHECKING:
    from wordllama.inference import WordLlamaInference

# What any agency's residents write about when they write to it about its work, whatever
# its topic: staff, delays, fines, officials, programs. Near one of these is on topic.
AGENCY_WORK = [
    "the agency's staff, offices and phone lines, and waiting for an answer",
    "delays, backlogs and months of waiting for a permit, an inspection, a repair or a reply",
    "fines, fees, tickets, taxes and the city budget",
    "the commissioner, the mayor, officials and their decisions",
    "city programs, services, sites and schedules for residents",
]
# Cosine similarities: at or above either one, a comment is on topic. NEAR_TOPIC lies
# between the off-topic and on-topic comments of the development set's tuning part (0.12
# and 0.14, `make eval`); NEAR_AGENCY_WORK is a guard for criticism the word lists miss,
# below most of the sharp complaints of tests/test_triage_sharp_complaints.py.
NEAR_TOPIC = 0.13  # the sentence, to the topic statement, the post or the account's name
NEAR_WORD = 0.42  # its nearest word to a word of those
NEAR_AGENCY_WORK = 0.20  # the sentence, to the nearest sentence of AGENCY_WORK
NEAR_WORK_WORD = 0.75  # its nearest word to a word of AGENCY_WORK
MIN_WORDS = 3  # fewer content words is a reaction, not a change of subject

# Speaking to the agency in the second person (not "u", which is mostly to a friend).
_TO_THE_AGENCY = re.compile(r"\b(?:you|your|yours|you'?re|you'?ve|you'?ll)\b")
_TO_THE_CROWD = re.compile(r"\b(?:any ?one|any ?body|every ?one|every ?body|who else|y'?all)\b")
# A question put to the agency asks about a need, the post or its services: it names the
# writer, the agency or what the post shows ("do I need", "does this apply", "will there
# be"). "Who won last night?" names none.
_ASKS_THE_AGENCY = re.compile(r"\b(?:i|i'm|my|we|our|me|us|this|these|that|those|there|it|its|"
                              r"it's)\b")
_WORD = re.compile(r"[a-z][a-z'-]{2,}")


class Candidate(NamedTuple):
    """A comment on a topic-limited account that is not addressed to the agency."""

    text: str  # normalized (lower-cased) text
    topic: str
    post: str = ""
    account: str = ""


@cache
def embedder() -> WordLlamaInference:
    """The static embedding model, loaded once per process from the installed package
    (about 0.2 s); downloads are disabled, so a missing file is an error, never a fetch."""
    import wordllama
    from wordllama import WordLlama

    # The package keeps its tokenizer under tokenizers/, which load() reads as a cache
    # folder: pointing the cache at the package is how it finds both files offline.
    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


@cache
def _agency_work() -> np.ndarray:
    return _unit(embedder().embed(AGENCY_WORK, norm=False))


_STOP_WORDS = """a an the and or of to in on at for with by from about as is are was were be
been this that these those it its our your their my we you they i he she them us me his her all
any some more most other into over under than then so not no only own same too very can will just
should now new nyc york what who how when where why did does do don't let's lol one get got"""
_STOP = frozenset(_STOP_WORDS.split())


def content_words(text: str) -> list[str]:
    """The words of a normalized text that carry meaning (three letters or more, not the
    commonest function words), each once."""
    return list(dict.fromkeys(w for w in _WORD.findall(text.lower()) if w not in _STOP))


_WORK_WORDS = content_words(" ".join(AGENCY_WORK))


def addressed_to_agency(text: str, labels: set[str] | dict[str, str]) -> bool:
    """Whether a normalized comment speaks to the agency about its work (protected, P22):
    the word lists found a complaint, a report, a request or a question put to the agency
    (not to the crowd), or it says "you" to the agency."""
    if SPEAKS_TO_AGENCY & set(labels):
        return True
    if _TO_THE_CROWD.search(text):
        return False
    if "?" in text and _ASKS_THE_AGENCY.search(text):
        return True
    return bool(_TO_THE_AGENCY.search(text))


def long_enough(text: str) -> bool:
    """At least MIN_WORDS words of three letters or more: a change of subject, not a
    reaction ("thanks!", an emoji)."""
    return len(_WORD.findall(text)) >= MIN_WORDS


def with_emoji_names(text: str) -> str:
    """The text with the names of its pictographs added ("🐀" -> "rat"): a static model has
    no vector for an emoji, and on a rat-mitigation account "haven't seen one 🐀" is on topic."""
    names = [unicodedata.name(char, "").lower() for char in text if unicodedata.category(char) == "So"]
    return " ".join([text, *[name for name in names if name]])


def _unit(vectors: np.ndarray) -> np.ndarray:
    # An empty text embeds to zeros: leave it at zero rather than divide by it.
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def off_topic_many(candidates: Sequence[Candidate]) -> list[str]:
    """For each candidate, why it is off topic ("" when it is not): how near it came to
    the topic, the post, the account and an agency's work, as whole sentences and word by
    word (the nearest pair of words: "escalators" is near "elevators", "taxes" near
    "budget"). Embeds every sentence and every distinct word in one batch each."""
    if not candidates:
        return []
    model = embedder()
    contexts = sorted({c.topic for c in candidates} | {c.post for c in candidates if c.post}
                      | {c.account for c in candidates if c.account})
    comments = _unit(model.embed([with_emoji_names(c.text) for c in candidates], norm=False))
    sentence = dict(zip(contexts, _unit(model.embed(contexts, norm=False)), strict=True))
    words_of = {text: content_words(text) for text in [*contexts, *(c.text for c in candidates)]}
    vocabulary = sorted({w for words in words_of.values() for w in words} | set(_WORK_WORDS))
    row = {word: n for n, word in enumerate(vocabulary)}
    vectors = _unit(model.embed(vocabulary, norm=False))
    work_words = vectors[[row[w] for w in _WORK_WORDS]]
    to_work = comments @ _agency_work().T
    reasons = []
    for n, candidate in enumerate(candidates):
        context = [c for c in (candidate.topic, candidate.post, candidate.account) if c]
        mine = vectors[[row[w] for w in words_of[candidate.text]]]
        theirs = vectors[[row[w] for c in context for w in words_of[c]]]
        nearest = max(float(comments[n] @ sentence[c]) for c in context)
        word = float((mine @ theirs.T).max()) if len(mine) and len(theirs) else 1.0
        work = float(to_work[n].max())
        work_word = float((mine @ work_words.T).max()) if len(mine) else 1.0
        if (nearest >= NEAR_TOPIC or word >= NEAR_WORD or work >= NEAR_AGENCY_WORK
                or work_word >= NEAR_WORK_WORD):
            reasons.append("")
            continue
        reasons.append(f'far from "{candidate.topic[:40]}": similarity {nearest:.2f} '
                       f"(nearest word {word:.2f}; to an agency's work {work:.2f})")
    return reasons
