"""The incident report as a PDF (P14): the same data as the JSON export, for people who
print, sign and file it (fpdf2 with the thread PDFs' body font)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from civicsocial.records.fonts import body_font

FIELDS = [("Account", "account"), ("Address", "url"), ("Agency", "agency"), ("Status", "status"),
          ("Reported", "reported_at"), ("By", "reported_by"), ("Last known good", "known_good_at"),
          ("Resolved", "resolved_at"), ("Resolved by", "resolved_by"), ("Resolution", "resolution")]


def _printable(text: str) -> str:
    """What the font can draw: control characters out (a hostile summary prints as text)."""
    return "".join(c if c.isprintable() or c == "\n" else "\ufffd" for c in text)


def render(data: dict[str, Any]) -> bytes:
    """A letter-size PDF of `report_data`'s dictionary."""
    font = body_font()
    pdf = FPDF(format="letter")
    pdf.set_title(f"Incident report {data['incident']}")
    pdf.add_font("Body", "", str(font.path))
    pdf.add_page()
    pdf.set_font("Body", size=16)
    pdf.cell(0, 10, f"Incident report {data['incident']} (P14)", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Body", size=10)
    for label, key in FIELDS:
        if data.get(key):
            pdf.multi_cell(0, 5, _printable(f"{label}: {data[key]}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.multi_cell(0, 5, _printable(f"What was seen: {data['summary']}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("Body", size=12)
    pdf.cell(0, 8, "Timeline", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Body", size=9)
    for entry in data["timeline"]:
        line = f"{entry['at'][:19].replace('T', ' ')}  {entry['what']}"
        line += f" ({entry['who']})" if entry["who"] else ""
        line += f": {entry['detail']}" if entry["detail"] else ""
        pdf.multi_cell(0, 4.5, _printable(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.cell(0, 5, f"Generated {data['generated_at'][:19].replace('T', ' ')} UTC by Civic Social.")
    return bytes(pdf.output())
