"""How text becomes searchable words, the same for the index and for queries, so both
engines see identical tokens: case-folded, accents removed, split on anything that is
not a letter or a digit."""

from __future__ import annotations

import re
import unicodedata

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
