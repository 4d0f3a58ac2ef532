"""Printable threads for FOIL productions (P27): a post and its replies as a reader saw
them, every version with its capture time, and removals marked.

Every character of every version is printed (issue 15): in the font that has it
(records/fonts.py), shaped where its script needs it, and as U+XXXX where no installed
font has it (returned, for the manifest). Lines are drawn by records/thread_pages.py:
ReportLab when the body font alone draws the whole thread unshaped, fpdf2 with HarfBuzz
otherwise. The text layer gives back what the resident wrote (see `needs_actual_text`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import regex

from civicsocial.records.fonts import FontPlan, code_point, coverage, plan_fonts
from civicsocial.records.thread_pages import TEXT_WIDTH, PlainPages, ShapedPages

REMOVED = "REMOVED from the platform"
INDENT = 22.0
GRAPHEME = regex.compile(r"\X")


class Item(NamedTuple):
    """What drawing needs of an archived item (plain data: it crosses to a drawing
    process, records/thread_drawing.py)."""

    kind: str
    platform_id: str


class Pages(Protocol):
    """What the thread layout needs from a PDF library (records/thread_pages.py)."""

    def start(self, text: str, size: float) -> None: ...
    def measure(self, text: str, size: float) -> float: ...
    def line(self, text: str, size: float, indent: float, right: bool) -> None: ...
    def gap(self, points: float) -> None: ...
    def finish(self) -> bytes: ...


def right_to_left(text: str) -> bool:
    """The paragraph's direction by its first strong character, as dir="auto" decides."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines that fit `width`, broken at spaces, and inside a word (between grapheme
    clusters) only where the word alone is wider than a line (long URLs, Thai or Chinese
    written without spaces). Greedy and linear in the text: fpdf2's own line breaking
    measured each line again at every character, which was most of a production's time.
    Lines are cut in logical order, as the bidi algorithm requires; each line is then
    shaped and reordered on its own."""
    lines: list[str] = []
    space = measure(" ")
    for paragraph in text.split("\n"):
        line: str | None = None
        used = 0.0
        for word in paragraph.split(" "):
            needed = measure(word)
            if line is not None and used + space + needed <= width:
                line, used = f"{line} {word}", used + space + needed
                continue
            if line is not None:
                lines.append(line)
            line, used = word, needed
            if used > width:
                *heads, line = _split_word(word, width, measure)
                lines.extend(heads)
                used = measure(line)
        lines.append(line or "")
    return lines


def _split_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """A word wider than a line, cut into lines of whole grapheme clusters (at least one
    each). Each cut is found by doubling, then halving, the number of clusters tried, so
    a 3,000-character URL costs a few dozen measures, not one per character."""
    clusters = GRAPHEME.findall(word)
    pieces, start = [], 0
    while start < len(clusters):
        fits, step = start + 1, 1  # one cluster always goes, even if wider than the line
        while fits + step <= len(clusters) and measure("".join(clusters[start:fits + step])) <= width:
            fits, step = fits + step, step * 2
        while step > 1:
            step //= 2
            if fits + step <= len(clusters) and \
                    measure("".join(clusters[start:fits + step])) <= width:
                fits += step
        pieces.append("".join(clusters[start:fits]))
        start = fits
    return pieces


def _print(pages: Pages, text: str, size: float, indent: float) -> None:
    pages.start(text, size)
    right = right_to_left(text)
    for line in wrap(text, TEXT_WIDTH - indent, lambda s: pages.measure(s, size)):
        pages.line(line, size, indent, right)


def _plain(paragraphs: list[str], plan: FontPlan) -> bool:
    """Whether the body font alone draws every character unshaped: no fallback font, no
    combining mark to place, no format character (ZWJ, bidi marks) to apply."""
    body = coverage(plan.body)
    return not plan.fonts() and all(
        ord(c) in body and not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
        for c in set("".join(paragraphs)) if c != "\n")


@dataclass
class ThreadPdf:
    """A thread's PDF and the characters it had to print as code points."""

    data: bytes
    missing: set[str] = field(default_factory=set)


def _printable(text: str, missing: set[str]) -> str:
    """The text with each character no font has replaced by its code point."""
    if not missing:
        return text
    return "".join(code_point(c) if c in missing else c for c in text)


def _lines_of(text: str) -> str:
    """Line breaks as one character, tabs as a space: the rest is printed as written."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def version_lines(item: Any, data: dict[str, Any]) -> tuple[str, str]:
    """A version's heading (author, kind, id, version, times, marks) and its text."""
    mark = f"  [{REMOVED}]" if data["change"] == "deleted" else \
        "  [edited]" if data["change"] == "edited" else ""
    heading = (f"{data.get('author', '')} · {item.kind} {item.platform_id} · version "
               f"{data['version']} · written {data.get('created_at') or 'unknown'} · "
               f"captured {data['captured_at']}{mark}")
    text = "(content disposed of after its retention period)" if data.get("disposed") \
        else data.get("text") or ("(no text)" if data["change"] != "deleted" else "")
    return _lines_of(heading), _lines_of(str(text))


def thread_order(root: str, children: dict[str, list[str]]) -> list[tuple[str, int]]:
    """(item id, depth) of a thread in reading order; each item once."""
    order: list[tuple[str, int]] = []
    seen: set[str] = set()
    stack = [(root, 0)]
    while stack:
        item_id, depth = stack.pop()
        if item_id in seen:
            continue
        seen.add(item_id)
        order.append((item_id, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(item_id, [])))
    return order


def render_thread_pdf(case_number: str, platform: str, handle: str, root: str,
                      by_id: dict[str, tuple[Any, list[dict[str, Any]]]],
                      children: dict[str, list[str]]) -> ThreadPdf:
    """The PDF of one thread: the root item, then its replies, indented by depth."""
    title = f"{case_number} · {handle} on {platform} · thread {root}"
    blocks = [(min(depth, 6) * INDENT, version_lines(by_id[item_id][0], data))
              for item_id, depth in thread_order(root, children) for data in by_id[item_id][1]]
    paragraphs = [title] + [p for _, texts in blocks for p in texts if p]
    plan = plan_fonts(paragraphs)
    missing = plan.missing
    pages: Pages = PlainPages(_printable(title, missing), plan.body) if _plain(paragraphs, plan) \
        else ShapedPages(_printable(title, missing), plan, {ord(c) for p in paragraphs for c in p})
    for indent, (heading, text) in blocks:
        _print(pages, _printable(heading, missing), 9, indent)
        if text:
            _print(pages, _printable(text, missing), 11, indent)
        pages.gap(6)
    return ThreadPdf(pages.finish(), missing)
