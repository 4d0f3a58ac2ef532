"""Spreadsheet formula injection: a cell starting with = + - @ (or a tab or carriage
return) is run as a formula by Excel and LibreOffice. Prefixing a quote neutralizes it
(OWASP's advice)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
