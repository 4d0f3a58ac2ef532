"""Triage of a public comment: which labels of ../shared/triage/LABELS.md it carries,
each with a short reason a person can check (the words that triggered it).

`triage(text, account_topic, post)` is a plain function: no database, no network, no
state, so it runs on every captured item as it arrives and on a file from the command
line alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from civicsocial.inbox.triage import lexicon

LABELS = ["service_request", "dangerous_condition", "records_request", "question", "complaint",
          "obscene", "hate_speech", "solicitation", "tos_violation", "off_topic"]
DELETION_GROUNDS = ["obscene", "hate_speech", "solicitation", "tos_violation", "off_topic"]
MAX_CHARS = 5000  # a comment is judged on its first 5,000 characters (a 100 KB one too)
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


@dataclass(frozen=True)
class Triage:
    labels: list[str]
    reasons: dict[str, str] = field(default_factory=dict)


@cache
def _compiled(name: str) -> re.Pattern[str]:
    patterns: list[str] = getattr(lexicon, name)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def normalize(text: str) -> str:
    """Lower-case text with compatibility forms folded (full-width letters, ligatures)
    and curly apostrophes straightened, cut to MAX_CHARS."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(APOSTROPHES)
    return text.lower()


def _hit(name: str, text: str) -> str:
    found = _compiled(name).search(text)
    return found.group(0).strip()[:60] if found else ""


def triage(text: str, account_topic: str | None = None, post: str = "") -> Triage:
    """The labels of one comment and, for each, why."""
    text = normalize(text or "")
    reasons: dict[str, str] = {}

    def mark(label: str, *lists: str) -> None:
        for name in lists:
            words = _hit(name, text)
            if words:
                reasons[label] = f'words: "{words}"'
                return

    mark("dangerous_condition", "HAZARDS")
    mark("service_request", "SERVICE_CONDITIONS", "SERVICE_ASKS")
    if "dangerous_condition" in reasons and "service_request" not in reasons:
        reasons["service_request"] = "a hazard the city must fix"
    mark("records_request", "RECORDS")
    if "?" in text:
        mark("question", "QUESTION_STARTS")
    mark("complaint", "CRITICISM")
    mark("obscene", "PROFANITY", "SEXUAL")
    mark("hate_speech", "SLURS", "HATE")
    mark("solicitation", "SOLICITATION")
    mark("tos_violation", "THREATS", "DOXXING", "IMPERSONATION")
    if account_topic:
        why = off_topic(text, account_topic, post)
        if why:
            reasons["off_topic"] = why
    return Triage([label for label in LABELS if label in reasons], reasons)


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
    the post it answers, and is not a short reaction, is off topic."""
    topic = _stems(normalize(account_topic)) | _stems(normalize(post))
    words = _stems(text)
    if len(words) < 3 or not topic:
        return ""  # "thanks!", an emoji: engagement, not a change of subject
    if words & topic:
        return ""
    return f'shares no words with the topic "{account_topic[:60]}"'
