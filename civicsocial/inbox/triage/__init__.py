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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from civicsocial.inbox.triage import lexicon

if TYPE_CHECKING:
    from civicsocial.inbox.triage.model import TriageModel

LABELS = ["service_request", "dangerous_condition", "records_request", "question", "complaint",
          "obscene", "hate_speech", "solicitation", "tos_violation", "off_topic"]
# P22: the only grounds on which an outside comment may be hidden or deleted, with their
# names. The one list: the inbox's RemovalGround choices are made from it.
GROUND_NAMES = {"obscene": "Obscene", "hate_speech": "Hate speech", "solicitation": "Solicitation",
                "tos_violation": "Terms-of-service violation",
                "off_topic": "Off topic (topic-limited account only)"}
DELETION_GROUNDS = list(GROUND_NAMES)
OFF_TOPIC = "off_topic"  # the one ground that needs a topic-limited account
# Labels that mean a comment speaks to the agency about its work (P22: protected speech).
SPEAKS_TO_AGENCY = frozenset({"complaint", "service_request", "dangerous_condition",
                              "records_request"})
MAX_CHARS = 5000  # a comment is judged on its first 5,000 characters (a 100 KB one too)
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


class Comment(NamedTuple):
    """One comment to triage, with what it answers."""

    text: str
    account_topic: str | None = None  # set only for a topic-limited account (P22)
    post: str = ""  # the city post it replies to
    account: str = ""  # the account's name ("NYC Ferry")
    author: str = ""  # who wrote it, where known (a capture): repeats are counted per author


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


def rules(text: str, account_topic: str | None = None) -> dict[str, str]:
    """The labels the word lists give a normalized text, each with the words found (off
    topic only where the writer says so; by meaning in `off_topic_for`)."""
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
        mark("off_topic", "OFF_TOPIC_ADMITTED")  # the writer's own word; see off_topic_for
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


def protect_speech(reasons: dict[str, str]) -> None:
    """Where a comment also complains, reports a service need, a hazard or asks for records,
    a deletion ground needs strong evidence (issue 13): a missed ground costs a moderator
    a minute, a false one can silence a resident. Off topic holds then only where the
    writer says so and does not complain; profanity that is not aimed at anyone or at a
    group is no ground."""
    if not SPEAKS_TO_AGENCY & set(reasons):
        return
    if "complaint" in reasons:
        reasons.pop("off_topic", None)
    if reasons.get("obscene", "").startswith(WEAK_OBSCENITY) and "hate_speech" not in reasons:
        del reasons["obscene"]


def off_topic_for(texts: Sequence[str], comments: Sequence[Comment],
                  found: Sequence[dict[str, str]], learned: Sequence[dict[str, str]]) -> None:
    """Add off topic, by meaning, to the comments on topic-limited accounts that are not
    addressed to the agency and that the writer did not already call off topic (one
    embedding batch for all of them: topic.py). `found` is what the word lists found,
    `learned` what the model adds: a complaint from either protects the comment, but a
    request the model alone guesses at does not (it reads street names as requests)."""
    from civicsocial.inbox.triage.topic import Candidate, addressed_to_agency, long_enough, off_topic_many

    picked = [n for n, (text, comment) in enumerate(zip(texts, comments, strict=True))
              if comment.account_topic and "off_topic" not in found[n] and long_enough(text)
              and "complaint" not in learned[n] and not addressed_to_agency(text, found[n])]
    candidates = [Candidate(texts[n], comments[n].account_topic or "", comments[n].post,
                            comments[n].account) for n in picked]
    for n, why in zip(picked, off_topic_many(candidates), strict=True):
        if why:
            found[n]["off_topic"] = why


REPEATS = 3  # the same words this many times from one author in one batch is spam


def repeated_posts(texts: Sequence[str], comments: Sequence[Comment],
                   found: Sequence[dict[str, str]]) -> None:
    """Mark as solicitation (spam) a text one author posted REPEATS times or more in the
    batch. Only per author: many residents posting the same words is a campaign, which is
    protected speech; and never a comment that complains or asks the city for something."""
    from civicsocial.inbox.triage.topic import long_enough

    counts = Counter((c.author, t) for c, t in zip(comments, texts, strict=True) if c.author)
    for text, comment, reasons in zip(texts, comments, found, strict=True):
        times = counts.get((comment.author, text), 0) if comment.author else 0
        if times >= REPEATS and long_enough(text) and not SPEAKS_TO_AGENCY & set(reasons):
            reasons.setdefault("solicitation", f"the same text posted {times} times by one author")


def triage_many(comments: Sequence[Comment], model: TriageModel | None = None) -> list[Triage]:
    """Triage comments together: the model and the embeddings read them in one batch each,
    which is what makes a file or a capture run fast."""
    from civicsocial.inbox.triage.model import shipped_model

    texts = [normalize(comment.text or "") for comment in comments]
    learned = (model or shipped_model()).predict(texts) if texts else []
    found = [rules(text, comment.account_topic) for text, comment in zip(texts, comments,
                                                                          strict=True)]
    off_topic_for(texts, comments, found, learned)
    for reasons, extra in zip(found, learned, strict=True):
        for label, why in extra.items():
            reasons.setdefault(label, why)
        if "dangerous_condition" in reasons and "service_request" not in reasons:
            reasons["service_request"] = "a hazard the city must fix"
    repeated_posts(texts, comments, found)
    results = []
    for reasons in found:
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
