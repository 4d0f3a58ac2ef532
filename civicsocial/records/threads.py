"""Printable threads for FOIL productions: a post and its replies as a reader saw them,
every version with its capture time, and removals marked. PDF by fpdf2, with DejaVu
Sans (Debian's fonts-dejavu-core) when a thread has text outside Latin-1, so any script
prints; the built-in Helvetica otherwise, because loading and subsetting a TrueType font
costs about 0.1 s per document (97% of export time when every thread used it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
REMOVED = "REMOVED from the platform"


class ThreadPDF(FPDF):
    def __init__(self, title: str, unicode: bool) -> None:
        super().__init__(format="Letter")
        self.title_text = title
        self.unicode = unicode and FONT.exists()
        if self.unicode:
            self.add_font("body", fname=str(FONT))
        self.set_auto_page_break(auto=True, margin=15)

    def font(self, size: float) -> None:
        self.set_font("body" if self.unicode else "helvetica", size=size)

    def safe(self, text: str) -> str:
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.font(8)
        self.cell(0, 5, self.safe(self.title_text), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.font(8)
        self.cell(0, 5, f"page {self.page_no()}", align="C")


def _write_item(pdf: ThreadPDF, item: Any, versions: list[dict[str, Any]], depth: int) -> None:
    indent = min(depth, 6) * 8
    width = pdf.epw - indent
    for data in versions:
        pdf.set_x(pdf.l_margin + indent)
        pdf.font(9)
        mark = f"  [{REMOVED}]" if data["change"] == "deleted" else \
            "  [edited]" if data["change"] == "edited" else ""
        head = (f"{data.get('author', '')} · {item.kind} {item.item_id} · version {data['version']}"
                f" · written {data.get('created_at') or 'unknown'} · captured {data['captured_at']}"
                f"{mark}")
        pdf.multi_cell(width, 4.5, pdf.safe(head), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(pdf.l_margin + indent)
        pdf.font(11)
        text = "(content disposed of after its retention period)" if data.get("disposed") \
            else data.get("text") or ("(no text)" if data["change"] != "deleted" else "")
        if text:
            pdf.multi_cell(width, 5.5, pdf.safe(str(text)[:20000]), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


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
    order = _thread(root, children)
    texts = [f"{handle} {root}"] + [str(d.get(k) or "") for item_id, _ in order
                                    for d in by_id[item_id][1]
                                    for k in ("author", "text", "created_at")]
    pdf = ThreadPDF(f"{case_number} · {handle} on {platform} · thread {root}",
                    unicode=not _latin1("".join(texts)))
    pdf.add_page()
    for item_id, depth in order:
        item, versions = by_id[item_id]
        _write_item(pdf, item, versions, depth)
    return bytes(pdf.output())
