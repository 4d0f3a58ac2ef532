"""Each thread of a FOIL production as a web page (issue 21): what the WACZ holds for
ReplayWeb.page to open, beside the thread PDFs. The same thread, in the same order, with
the same headings as the PDF (records/threads.py); every string escaped, each paragraph
in its own direction (dir="auto")."""

from __future__ import annotations

from html import escape
from typing import Any

from civicsocial.records.threads import thread_order, version_lines

STYLE = (
    "body{font-family:'Noto Sans',sans-serif;max-width:48em;margin:2em auto;padding:0 1em}"
    ".v{margin:0 0 1em;border-left:3px solid #ccc;padding-left:.6em}"
    ".h{color:#555;font-size:.85em}.t{white-space:pre-wrap;margin:.2em 0 0}"
)


def render_thread_html(
    case_number: str,
    platform: str,
    handle: str,
    root: str,
    by_id: dict[str, tuple[Any, list[dict[str, Any]]]],
    children: dict[str, list[str]],
) -> bytes:
    """The HTML page of one thread: the root item, then its replies, indented by depth."""
    title = f"{case_number} · {handle} on {platform} · thread {root}"
    parts = [
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<style>{STYLE}</style></head><body><h1 dir="auto">{escape(title)}</h1>'
    ]
    for item_id, depth in thread_order(root, children):
        item = by_id[item_id][0]
        for data in by_id[item_id][1]:
            heading, text = version_lines(item, data)
            parts.append(
                f'<div class="v" style="margin-left:{min(depth, 6) * 1.5}em">'
                f'<p class="h" dir="auto">{escape(heading)}</p>'
                f'<p class="t" dir="auto">{escape(text)}</p></div>'
            )
    parts.append("</body></html>")
    return "".join(parts).encode()
