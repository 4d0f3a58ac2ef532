"""The two ways a thread PDF's lines are drawn (records/threads.py chooses one).

`ShapedPages` (fpdf2 with HarfBuzz) draws any script: Arabic and Hebrew right to left and
joined, Indic conjuncts, Thai marks, CJK, emoji sequences in colour, with fallback from
the body font to the Noto font of each script. `PlainPages` (ReportLab's canvas) draws
threads whose every character is in the body font and needs no shaping (Latin, Greek
and Cyrillic without combining marks: most of a city's threads), about ten times
faster, because ReportLab reads the font once per process where fpdf2 reads and
subsets it again for every document. Both embed the same body font and lay out the same
page: the thread's title on top, the page number below, lines down the page.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterator
from typing import Any

from fontTools.unicodedata import script
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont
from fpdf.line_break import Fragment
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from civicsocial.records.fonts import EMOJI_SEQUENCE, FontFile, FontPlan, coverage

MARGIN = 54.0  # points: three quarters of an inch
WIDTH, HEIGHT = letter
TEXT_WIDTH = WIDTH - 2 * MARGIN
LEADING = 1.3  # a line's height, in font sizes
# Printed whatever the thread says: page numbers and code points (U+XXXX).
FIXED_CHARACTERS = "page 0123456789U+ABCDEF"
# Scripts whose glyphs stand one for one, in order, for their characters: their lines
# need no /ActualText.
PLAIN_SCRIPTS = {"Latn", "Grek", "Cyrl", "Zyyy", "Zinh", "Hani", "Hira", "Kana", "Hang",
                 "Armn", "Geor", "Bopo"}


def needs_actual_text(line: str) -> bool:
    """Whether copying the line's glyphs would not give its text back: shaping reorders
    or merges glyphs (Indic, Thai, emoji sequences). Right-to-left lines never: viewers
    read /ActualText there in visual order, and the glyphs' own mapping reads right."""
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in line):
        return False
    return EMOJI_SEQUENCE.search(line) is not None or \
        any(ord(c) > 0xFF and script(c) not in PLAIN_SCRIPTS for c in line)


def _utf16(text: str) -> str:
    return "<" + ("\ufeff" + text).encode("utf-16-be").hex() + ">"


class PlainPages:
    """ReportLab's canvas with the body font: for text that needs no shaping."""

    def __init__(self, title: str, body: FontFile) -> None:
        self.font = _registered(body)
        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=letter, pageCompression=1,
                             initialFontName=self.font)  # else Helvetica is referenced, not embedded
        self.canvas.setTitle(title)
        self.canvas.setCreator("Civic Social")
        self.title, self.page, self.y = title, 0, 0.0
        self._new_page()

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.canvas.setFont(self.font, 8)
        self.canvas.drawString(MARGIN, HEIGHT - 36, self.title)
        self.canvas.drawCentredString(WIDTH / 2, 30, f"page {self.page}")
        self.y = HEIGHT - MARGIN - 8

    def start(self, text: str, size: float) -> None:
        """Nothing to choose: one font draws everything here."""

    def measure(self, text: str, size: float) -> float:
        """The width of `text` in points."""
        return pdfmetrics.stringWidth(text, self.font, size)

    def line(self, text: str, size: float, indent: float, right: bool) -> None:
        """One line, on a new page when this one is full."""
        if self.y < MARGIN:
            self._new_page()
        self.canvas.setFont(self.font, size)
        self.canvas.drawString(MARGIN + indent, self.y, text)
        self.y -= size * LEADING

    def gap(self, points: float) -> None:
        """Space between versions."""
        self.y -= points

    def finish(self) -> bytes:
        """The PDF."""
        self.canvas.save()
        return self.out.getvalue()


@functools.cache
def _registered(body: FontFile) -> str:
    pdfmetrics.registerFont(TTFont(body.name, str(body.path)))
    return body.name


class _ShapedDocument(FPDF):
    """fpdf2's document with the thread's title on top, the page number below, and each
    emoji sequence kept whole."""

    def __init__(self, title: str, plan: FontPlan, used: set[int], shaping: bool) -> None:
        super().__init__(unit="pt", format="letter")
        self.title_line, self.plan = title, plan
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_title(title)
        self.set_creator("Civic Social")
        # Each font is read for the characters the thread uses only: reading all of a
        # font's glyphs, per document, took longer than drawing a short thread.
        used = used | set(map(ord, FIXED_CHARACTERS))
        self.add_font("body", fname=plan.body.path, unicode_range=sorted(used & coverage(plan.body)))
        for font in plan.fonts():
            self.add_font(font.name, fname=font.path, collection_font_number=font.face,
                          unicode_range=sorted(used & coverage(font)) or [0x20])
        if shaping:
            self.set_text_shaping(True)
        self.add_page()

    def header(self) -> None:
        self.set_font("body", size=8)
        self.set_xy(MARGIN, 28)
        self.cell(TEXT_WIDTH, 10, self.title_line)

    def footer(self) -> None:
        self.set_font("body", size=8)
        self.set_xy(MARGIN, HEIGHT - 40)
        self.cell(TEXT_WIDTH, 10, f"page {self.page_no()}", align="C")

    def _parse_chars(self, text: str, markdown: bool, **kwargs: Any) -> Iterator[Fragment]:
        """Fragments as fpdf2 makes them, except that each emoji sequence is one fragment
        in the emoji font, so its ligature (a family, a flag, a keycap) is drawn whole:
        the body font has digits, '#', ZWJ and VS16 too, and would take them apart."""
        if self.plan.emoji is None:
            yield from super()._parse_chars(text, markdown, **kwargs)
            return
        start = 0
        for match in EMOJI_SEQUENCE.finditer(text):
            if match.start() > start:
                yield from super()._parse_chars(text[start:match.start()], markdown, **kwargs)
            state = self._get_current_graphics_state()
            state.font_family, state.font_style = self.plan.emoji.name.lower(), ""
            state.current_font = self.fonts[self.plan.emoji.name.lower()]
            yield Fragment(match.group(), state, self.k)
            start = match.end()
        if start < len(text):
            yield from super()._parse_chars(text[start:], markdown, **kwargs)


class ShapedPages:
    """fpdf2 with HarfBuzz and font fallback: for any script."""

    def __init__(self, title: str, plan: FontPlan, used: set[int]) -> None:
        shaping = any(c > 0xFF for c in used)  # HarfBuzz only where Latin-1 is not enough
        self.document = _ShapedDocument(title, plan, used, shaping)
        self.plan = plan
        self.y = MARGIN
        self._widths: dict[tuple[str, float], float] = {}

    def start(self, text: str, size: float) -> None:
        """Fallback order for this paragraph: its own CJK face first."""
        self.document.set_font("body", size=size)
        if self.plan.fonts():
            self.document.set_fallback_fonts([f.name for f in self.plan.fallbacks_for(text)])
        self._widths.clear()

    def measure(self, text: str, size: float) -> float:
        """The width of `text` in points, shaped (cached: the wrapper asks per word)."""
        width = self._widths.get((text, size))
        if width is None:
            width = self._widths[(text, size)] = self.document.get_string_width(text)
        return width

    def line(self, text: str, size: float, indent: float, right: bool) -> None:
        """One line, right-aligned when written right to left, in an /ActualText span
        when its glyphs would not give its text back."""
        height = size * LEADING
        if self.y + height > HEIGHT - MARGIN:
            self.document.add_page()
            self.y = MARGIN
        self.document.set_xy(MARGIN + indent, self.y)
        marked = needs_actual_text(text)
        if marked:
            self.document._out(f"/Span <</ActualText {_utf16(text)}>> BDC")
        self.document.cell(TEXT_WIDTH - indent, height, text, align="R" if right else "L",
                           new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if marked:
            self.document._out("EMC")
        self.y += height

    def gap(self, points: float) -> None:
        """Space between versions."""
        self.y += points

    def finish(self) -> bytes:
        """The PDF. HarfBuzz has done the layout (it reads the font file itself), and
        fpdf2 embeds no layout tables; dropping them first spares fontTools following
        every substitution while it cuts each font to the glyphs used."""
        for font in self.document.fonts.values():
            if isinstance(font, TTFFont):
                for table in ("GSUB", "GPOS", "GDEF", "JSTF", "BASE"):
                    if table in font.ttfont:
                        del font.ttfont[table]
        return bytes(self.document.output())
