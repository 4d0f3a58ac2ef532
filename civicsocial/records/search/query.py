"""The records search language, parsed once and translated for each engine.

    pothole           the whole word, any case, any accents
    pot*              a prefix
    "water main"      a phrase
    -graffiti         must not contain
    a OR b            either (OR binds tighter than the implicit AND: x a OR b = x AND (a OR b))

A query is a list of clauses that must all hold; a clause is a list of alternatives.
The same parsed query becomes an SQLite FTS5 MATCH expression or a PostgreSQL
tsquery, and `matches` evaluates it in Python, the reference both engines are tested
against.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from civicsocial.records.search.text import word_pairs, words


class QueryError(ValueError):
    """A query that cannot be searched, with the reason in words."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    clauses: tuple[tuple[Term, ...], ...]  # AND of ORs
    excluded: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.excluded

    @property
    def contradicted(self) -> bool:
        """Nothing can match: some clause's every alternative contains a word or phrase the
        query also leaves out (`street -street`, `"water main" -main`). The engines would
        read every posting of the clause to find that out."""
        return any(all(any(_contains(t, e) for e in self.excluded) for t in clause)
                   for clause in self.clauses)


def _contains(term: Term, excluded: Term) -> bool:
    """Whether every text that has `term` also has `excluded`: the reference matching
    (`_has`) of `excluded` within the term's own words, less a prefix term's last word,
    which only a prefix can be sure of."""
    known = term.words[:-1] if term.prefix and not excluded.prefix else term.words
    return _has(list(known), excluded)


def _term(text: str, quoted: bool) -> Term | None:
    prefix = not quoted and text.endswith("*")
    found = tuple(words(text.rstrip("*") if prefix else text))
    if not found:
        return None
    return Term(found, prefix=prefix and len(found) == 1)


def parse(text: str) -> Query:
    """Parse a search string; raises QueryError for one that cannot be searched."""
    if len(text) > 1000:
        raise QueryError("A search is at most 1,000 characters.")
    try:
        lexer = shlex.shlex(text, posix=True)
        lexer.whitespace_split = True
        lexer.quotes = '"'
        lexer.escape = ""
        tokens = list(lexer)
    except ValueError:
        raise QueryError("A quotation mark is not closed.") from None
    quoted_phrases = set(re.findall(r'"([^"]*)"', text))
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for raw in tokens:
        if raw == "OR":
            join_next = bool(clauses)
            continue
        negative = raw.startswith("-") and len(raw) > 1
        body = raw[1:] if negative else raw
        term = _term(body, quoted=body in quoted_phrases)
        if term is None:
            join_next = False
            continue
        if negative:
            excluded.append(term)
        elif join_next and clauses:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        join_next = False
    if excluded and not clauses:
        raise QueryError("Say what to look for, not only what to leave out.")
    return Query(tuple(tuple(c) for c in clauses), tuple(excluded))


def _fts5_term(term: Term) -> str:
    if len(term.words) > 1:  # a phrase: its word pairs, side by side (text.word_pairs)
        return '{pairs} : "' + word_pairs(term.words) + '"'
    return '{body} : "' + term.words[0] + ('"*' if term.prefix else '"')


def to_fts5(query: Query) -> str:
    """An FTS5 MATCH expression, each term in its column (words are always quoted: no
    operator injection)."""
    positive = " AND ".join("(" + " OR ".join(_fts5_term(t) for t in c) + ")"
                            for c in query.clauses)
    if query.excluded:
        excluded = " OR ".join(_fts5_term(t) for t in query.excluded)
        return f"({positive}) NOT ({excluded})"
    return positive


def _ts_term(term: Term) -> str:
    parts = [f"'{w}'" for w in term.words]
    if term.prefix:
        parts[-1] += ":*"
    return "(" + " <-> ".join(parts) + ")"


def to_tsquery(query: Query) -> str:
    """A PostgreSQL tsquery for to_tsquery('simple', ...); words are letters and digits only."""
    parts = ["(" + " | ".join(_ts_term(t) for t in c) + ")" for c in query.clauses]
    parts += ["!" + _ts_term(t) for t in query.excluded]
    return " & ".join(parts)


def _has(body: list[str], term: Term) -> bool:
    n = len(term.words)
    for i in range(len(body) - n + 1):
        window = body[i:i + n]
        if window[:-1] == list(term.words[:-1]) and (
                window[-1].startswith(term.words[-1]) if term.prefix
                else window[-1] == term.words[-1]):
            return True
    return False


def matches(query: Query, text: str) -> bool:
    """The reference semantics, in Python."""
    body = words(text)
    return all(any(_has(body, t) for t in clause) for clause in query.clauses) and \
        not any(_has(body, t) for t in query.excluded)


def highlight_terms(query: Query) -> list[Term]:
    return [t for clause in query.clauses for t in clause]
