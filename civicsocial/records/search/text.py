"""How text becomes searchable words, the same for the index and for queries, so both
engines see identical tokens: case-folded, accents removed, split on anything that is
not a letter or a digit."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from django.utils import timezone

WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    if text.isascii():  # most text: nothing to decompose, and casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def index_body(text: str) -> str:
    """The string stored in the search index for one version."""
    return " ".join(words(text))


PAIR = "_"  # joins two neighbouring words into one token: never part of a word (WORD)


def word_pairs(found: Sequence[str]) -> str:
    """Each two neighbouring words as one token, for the index's pairs column (SQLite).
    A phrase is the run of its pairs side by side there: short lists where the phrase's
    words are common ones (issue 21: "water water" 38 -> 1.6 ms at a million versions)."""
    return " ".join(f"{first}{PAIR}{second}" for first, second in pairwise(found))


# Scope words of an item's state, on every one of its versions; archive.py keeps them in
# step: REMOVED while the item is removed from its platform, SEVERAL once it has more than
# one version (an exact count then needs to tell its versions apart; the others not).
REMOVED = "removed"
SEVERAL = "several"


def scope_words(stream_id: int, kind: str, created_at: datetime | None, removed: bool = False,
                several: bool = False) -> str:
    """The words of a version's scope column (issue 21): its stream, its item's kind,
    the day and month it was written in the city's time zone, and its item's state, so
    the engine narrows a search to an agency's accounts, a kind, some dates or the items
    still up inside the index itself."""
    state = (f" {REMOVED}" if removed else "") + (f" {SEVERAL}" if several else "")
    if created_at is None:
        return f"s{stream_id} k{kind}{state}"
    # The city's zone, not a request's: the index must not depend on who was looking.
    local = created_at.astimezone(timezone.get_default_timezone())
    day = f"{local.year:04d}{local.month:02d}{local.day:02d}"  # strftime costs twice as much
    return f"s{stream_id} k{kind} d{day} m{day[:6]}{state}"
