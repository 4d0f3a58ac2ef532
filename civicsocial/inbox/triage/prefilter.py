"""A fast first pass over the word lists: Hyperscan (Intel's multi-pattern regex engine)
reads a comment once and names the lists that *might* match; Python's `re` then runs only
those lists, for the exact decision and the words to quote.

Each list is loosened into a superset Hyperscan can compile quickly: word boundaries
dropped (Hyperscan has no Unicode `\\b`), bounded gaps `.{0,40}` made unbounded, and
prefilter mode for anything else it lacks. A superset can only add candidates, never lose
a match (tests/test_triage_prefilter.py checks it on the development set and random text).
Compiling takes seconds, so the database is cached on disk, keyed by the lists' hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from functools import cache
from importlib.metadata import version
from pathlib import Path

import hyperscan

FLAGS = (hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_SINGLEMATCH
         | hyperscan.HS_FLAG_DOTALL | hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY)
_BOUNDARY = re.compile(r"(?<!\\)((?:\\\\)*)\\[bB]")
_GAP = re.compile(r"\.\{\d*,\d*\}")


def loosen(pattern: str) -> str:
    """A pattern matching everything `pattern` matches, in a form Hyperscan compiles fast."""
    return _GAP.sub(".*", _BOUNDARY.sub(r"\1", pattern))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "civicsocial"


class Prefilter:
    def __init__(self, lists: dict[str, list[str]]) -> None:
        self.names = sorted(lists)
        expressions = ["|".join(f"(?:{loosen(p)})" for p in lists[name]) for name in self.names]
        digest = hashlib.sha256("\0".join(self.names + expressions).encode()).hexdigest()[:24]
        path = _cache_dir() / f"triage-{version('hyperscan')}-{digest}.hsdb"
        self.always: set[str] = set()  # lists run in `re` for every comment
        self.database = self._load(path) or self._compile(expressions, path)
        self._scratch = hyperscan.Scratch(self.database)
        self._local = threading.local()  # scratch space is per thread (capture threads, worker)

    @staticmethod
    def _load(path: Path) -> hyperscan.Database | None:
        try:
            return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        except (OSError, ValueError, TypeError, hyperscan.error):  # absent, stale, corrupt
            return None

    def _compile(self, expressions: list[str], path: Path) -> hyperscan.Database:
        try:
            return self._save(_build(list(enumerate(expressions))), path)
        except hyperscan.error:
            # A list Hyperscan cannot take (a construct it lacks) runs in `re` for every
            # comment: slower, never wrong. Not cached, so the set is never forgotten.
            self.always = {name for name, e in zip(self.names, expressions, strict=True)
                           if not _compiles(e)}
            return _build([(n, e) for n, e in enumerate(expressions)
                           if self.names[n] not in self.always])

    @staticmethod
    def _save(database: hyperscan.Database, path: Path) -> hyperscan.Database:
        try:  # a cache that cannot be written only costs the compile next time
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(hyperscan.dumpb(database))
            temporary.replace(path)
        except OSError:
            pass
        return database

    def candidates(self, text: str) -> set[str]:
        """The lists that may match `text` (all of them for text that is not valid UTF-8)."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let `re` decide every list
            return set(self.names)
        found: set[int] = set()

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> None:
            found.add(pattern)

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch.clone()
        self.database.scan(data, match_event_handler=on_match, scratch=scratch)
        return {self.names[n] for n in found} | self.always


def _build(expressions: list[tuple[int, str]]) -> hyperscan.Database:
    database = hyperscan.Database()
    database.compile(expressions=[e.encode() for _, e in expressions],
                     ids=[n for n, _ in expressions], elements=len(expressions),
                     flags=[FLAGS] * len(expressions))
    return database


def _compiles(expression: str) -> bool:
    try:
        _build([(0, expression)])
    except hyperscan.error:
        return False
    return True


@cache
def lexicon_prefilter() -> Prefilter:
    from civicsocial.inbox.triage import lexicon

    return Prefilter({name: value for name, value in vars(lexicon).items()
                      if name.isupper() and isinstance(value, list)})
