"""Printable threads for FOIL productions: a post and its replies as a reader saw them,
every version with its capture time, and removals marked.

PDF by ReportLab (its canvas: about 4 ms a thread, where fpdf2's line breaking took
15 ms an item and was most of an export's time). DejaVu Sans (Debian's
fonts-dejavu-core) when a thread has text outside Latin-1, so any script prints; the
built-in Helvetica otherwise, which needs no embedded font.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
REMOVED = "REMOVED from the platform"
MARGIN = 54.0  # points: three quarters of an inch
INDENT = 22.0
MAX_TEXT = 20000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@functools.cache
def _unicode_font() -> str:
    if not FONT_FILE.exists():
        return "Helvetica"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_FILE)))
    return "DejaVuSans"


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _Page:
    """A canvas that writes wrapped lines down the page and starts new pages itself."""

    def __init__(self, title: str, font: str) -> None:
        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=letter, pageCompression=1)
        self.canvas.setTitle(title)
        self.title, self.font = title, font
        self.width, self.height = letter
        self.page = 0
        self._new_page()

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.canvas.setFont(self.font, 8)
        self.canvas.drawString(MARGIN, self.height - 36, self.title)
        self.canvas.drawCentredString(self.width / 2, 30, f"page {self.page}")
        self.y = self.height - MARGIN - 8

    def _wrap(self, text: str, size: float, width: float) -> list[str]:
        """Lines that fit `width`, breaking words longer than a line (long URLs)."""
        lines = []
        for line in simpleSplit(CONTROL.sub(" ", text), self.font, size, width):
            while pdfmetrics.stringWidth(line, self.font, size) > width and len(line) > 1:
                cut = max(1, int(len(line) * width / pdfmetrics.stringWidth(line, self.font, size)))
                while cut > 1 and pdfmetrics.stringWidth(line[:cut], self.font, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
        return lines

    def paragraph(self, text: str, size: float, indent: float) -> None:
        width = self.width - 2 * MARGIN - indent
        for line in self._wrap(text, size, width):
            if self.y < MARGIN:
                self._new_page()
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(MARGIN + indent, self.y, line)
            self.y -= size * 1.3

    def gap(self, points: float) -> None:
        self.y -= points

    def finish(self) -> bytes:
        self.canvas.save()
        return self.out.getvalue()


def _write_item(page: _Page, item: Any, versions: list[dict[str, Any]], depth: int) -> None:
    indent = min(depth, 6) * INDENT
    for data in versions:
        mark = f"  [{REMOVED}]" if data["change"] == "deleted" else \
            "  [edited]" if data["change"] == "edited" else ""
        page.paragraph(f"{data.get('author', '')} · {item.kind} {item.item_id} · version "
                       f"{data['version']} · written {data.get('created_at') or 'unknown'} · "
                       f"captured {data['captured_at']}{mark}", 9, indent)
        text = "(content disposed of after its retention period)" if data.get("disposed") \
            else data.get("text") or ("(no text)" if data["change"] != "deleted" else "")
        if text:
            page.paragraph(str(text)[:MAX_TEXT], 11, indent)
        page.gap(6)


def _thread(root: str, children: dict[str, list[str]]) -> list[tuple[str, int]]:
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
                      children: dict[str, list[str]]) -> bytes:
    """The PDF of one thread: the root item, then its replies, indented by depth."""
    order = _thread(root, children)
    title = f"{case_number} · {handle} on {platform} · thread {root}"
    texts = [title] + [str(d.get(k) or "") for item_id, _ in order for d in by_id[item_id][1]
                       for k in ("author", "text", "created_at")]
    page = _Page(title, "Helvetica" if _latin1("".join(texts)) else _unicode_font())
    for item_id, depth in order:
        item, versions = by_id[item_id]
        _write_item(page, item, versions, depth)
    return page.finish()
