"""Triage of a public comment: which labels of ../shared/triage/LABELS.md it carries,
each with a short reason a person can check (the words that triggered it).

Two halves: word lists written from the labels' definitions (lexicon.py), and a model
learned from labelled comments (model.py) that catches what the lists miss for the
routing labels. `triage(text, account_topic, post)` and `triage_many` are plain
functions: no database, no network, so they run on every captured item as it arrives
and on a file from the command line alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from civicsocial.inbox.triage import lexicon

if TYPE_CHECKING:
    from civicsocial.inbox.triage.model import TriageModel

LABELS = ["service_request", "dangerous_condition", "records_request", "question", "complaint",
          "obscene", "hate_speech", "solicitation", "tos_violation", "off_topic"]
DELETION_GROUNDS = ["obscene", "hate_speech", "solicitation", "tos_violation", "off_topic"]
MAX_CHARS = 5000  # a comment is judged on its first 5,000 characters (a 100 KB one too)
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


class Comment(NamedTuple):
    """One comment to triage, with what it answers."""

    text: str
    account_topic: str | None = None  # set only for a topic-limited account (P22)
    post: str = ""  # the city post it replies to
    account: str = ""  # the account's name ("NYC Ferry")


@dataclass(frozen=True)
class Triage:
    labels: list[str]
    reasons: dict[str, str] = field(default_factory=dict)


_FIRST_LETTER = re.compile(r"(?:\(\?:)*[a-z0-9]")


def word_start(pattern: str) -> str:
    """The pattern made to match only from the start of a word when it starts with a
    Latin letter or digit ("ice" must not fire inside "notice", nor "fell" in "fellow").
    Patterns that start otherwise (Chinese, an emoji, an anchor) are left as they are."""
    return rf"\b{pattern}" if _FIRST_LETTER.match(pattern) else pattern


@cache
def _compiled(name: str) -> re.Pattern[str]:
    patterns: list[str] = getattr(lexicon, name)
    # One \b before all the word-start patterns together (the same matches as one before
    # each, 1.6x faster), then the others. The text is lower-cased first (normalize), so
    # the patterns need no IGNORECASE (2x faster).
    anchored = [f"(?:{p})" for p in patterns if _FIRST_LETTER.match(p)]
    others = [f"(?:{p})" for p in patterns if not _FIRST_LETTER.match(p)]
    return re.compile("|".join(([word_start(f"(?:{'|'.join(anchored)})")] if anchored else [])
                               + others))


def normalize(text: str) -> str:
    """Lower-case text with compatibility forms folded (full-width letters, ligatures)
    and curly apostrophes straightened, cut to MAX_CHARS."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(APOSTROPHES)
    return text.lower()


def _hit(name: str, text: str) -> str:
    found = _compiled(name).search(text)
    return found.group(0).strip()[:60] if found else ""


def rules(text: str, account_topic: str | None = None, post: str = "",
          account: str = "") -> dict[str, str]:
    """The labels the word lists give a normalized text, each with the words found."""
    from civicsocial.inbox.triage.prefilter import lexicon_prefilter

    reasons: dict[str, str] = {}
    candidates = lexicon_prefilter().candidates(text)  # most comments: one list or two

    def mark(label: str, *lists: str) -> None:
        for name in lists:
            words = _hit(name, text) if name in candidates else ""
            if words:
                reasons[label] = f'words: "{words}"'
                return

    mark("dangerous_condition", "HAZARDS")
    mark("service_request", "SERVICE_CONDITIONS", "SERVICE_ASKS")
    mark("records_request", "RECORDS")
    if "?" in text:
        mark("question", "QUESTION_STARTS")
    mark("complaint", "CRITICISM")
    obscene = obscenity(text, candidates)
    if obscene:
        reasons["obscene"] = obscene
    mark("hate_speech", "SLURS", "HATE")
    mark("solicitation", "SOLICITATION")
    mark("tos_violation", "THREATS", "DOXXING", "IMPERSONATION")
    if account_topic:
        why = off_topic(text, account_topic, f"{account} {post}")
        if why:
            reasons["off_topic"] = why
    return reasons


# Evidence of obscenity, strongest first (LABELS.md: sexual content, or abuse made of
# profanity). A reason starting with WEAK_OBSCENITY is profanity that is not aimed at
# anyone: not a ground on a comment that also speaks to the agency (`protect_speech`).
WEAK_OBSCENITY = "profanity, not aimed at anyone"


def obscenity(text: str, candidates: frozenset[str] | set[str]) -> str:
    """Why a normalized text is obscene, or "": what kind of evidence, and the words."""
    for name, kind in (("SEXUAL", "sexual content"), ("AIMED_ABUSE", "abuse aimed at someone")):
        words = _hit(name, text) if name in candidates else ""
        if words:
            return f'{kind}: "{words}"'
    swears = [*(_compiled("PROFANITY").findall(text) if "PROFANITY" in candidates else []),
              *(_compiled("MILD_SWEARS").findall(text) if "MILD_SWEARS" in candidates else [])]
    if len(swears) >= 3:  # abuse made of profanity: a string of it, whatever else is said
        return f'a string of profanity: "{", ".join(s.strip() for s in swears[:4])}"'
    words = _hit("PROFANITY", text) if "PROFANITY" in candidates else ""
    if not words and len(swears) >= 2:
        words = swears[0].strip()
    return f'{WEAK_OBSCENITY}: "{words}"' if words else ""


# Labels that mean the comment speaks to the agency about its work (P22: protected speech).
# A question alone does not: off-topic chatter asks things too ("who won last night?").
ADDRESSED_TO_AGENCY = ("complaint", "service_request", "dangerous_condition", "records_request")


def protect_speech(reasons: dict[str, str]) -> None:
    """Where a comment also complains, asks, reports or requests, a deletion ground needs
    strong evidence (issue 13): a missed ground costs a moderator a minute, a false one
    can silence a resident. Off topic never holds then (talking to the agency about how it
    serves people is on topic; telling that from a change of subject needs the meaning,
    not shared words), nor profanity that is not aimed at anyone or at a group."""
    addressed = [label for label in ADDRESSED_TO_AGENCY if label in reasons]
    if not addressed:
        return
    reasons.pop("off_topic", None)
    if reasons.get("obscene", "").startswith(WEAK_OBSCENITY) and "hate_speech" not in reasons:
        del reasons["obscene"]


def triage_many(comments: Sequence[Comment], model: TriageModel | None = None) -> list[Triage]:
    """Triage comments together: the model reads them in one batch, which is what makes
    a file or a capture run fast."""
    from civicsocial.inbox.triage.model import shipped_model

    texts = [normalize(comment.text or "") for comment in comments]
    learned = (model or shipped_model()).predict(texts) if texts else []
    results = []
    for text, comment, extra in zip(texts, comments, learned, strict=True):
        reasons = rules(text, comment.account_topic, comment.post, comment.account)
        for label, why in extra.items():
            reasons.setdefault(label, why)
        if "dangerous_condition" in reasons and "service_request" not in reasons:
            reasons["service_request"] = "a hazard the city must fix"
        protect_speech(reasons)
        results.append(Triage([label for label in LABELS if label in reasons], reasons))
    return results


def triage(text: str, account_topic: str | None = None, post: str = "", account: str = "") -> Triage:
    """The labels of one comment and, for each, why."""
    return triage_many([Comment(text, account_topic, post, account)])[0]


def comment_of(row: dict[str, object]) -> Comment:
    """A triage file's line (shaped like ../shared/triage/dev.jsonl) as a Comment."""
    topic = row.get("account_topic")
    return Comment(str(row.get("text") or ""), str(topic) if topic else None,
                   str(row.get("post") or ""), str(row.get("account") or ""))


_STOP_WORDS = """a an the and or of to in on at for with by from about as is are was were be
been this that these those it its our your their my we you they i he she them us me his her all
any some more most other into over under than then so not no only own same too very can will just
should now new open opens city nyc york department dept agency office official account accounts
post posts today week weekend information info updates update program programs service services
public people residents resident"""
STOP = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"[a-z][a-z'-]{2,}")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in WORD.findall(text) if w not in STOP}


def off_topic(text: str, account_topic: str, post: str = "") -> str:
    """Why a comment is off the topic of a topic-limited account (P22), or "". A comment
    that shares no content word (by its first five letters) with the topic statement or
    the context (the account's name and the post it answers), and is not a short
    reaction, is off topic."""
    topic = _stems(normalize(account_topic)) | _stems(normalize(post))
    words = _stems(text)
    if len(words) < 3 or not topic:
        return ""  # "thanks!", an emoji: engagement, not a change of subject
    if words & topic:
        return ""
    return f'shares no words with the topic "{account_topic[:60]}"'
