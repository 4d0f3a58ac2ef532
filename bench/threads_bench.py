"""Thread PDF benchmark (part of `make bench`, issue 15): the same threads drawn by
today's renderer (records/threads.py: every character, shaped, fonts embedded) and by
the renderer productions used before issue 15 (kept below as the baseline: ReportLab's
canvas with one font, Helvetica when the thread is Latin-1 and DejaVu Sans otherwise,
no shaping, no fallback), in turn, thread by thread, so the machine's noise hits both.

Three sets: English threads (what most of a city's threads are), threads each in one of
the languages of issue 15's corpus (Local Law 30's ten and six more, emoji), and threads
mixing them all (the worst case: every reply needs another font). The last column counts
the characters the baseline font cannot draw (empty boxes in its PDFs).

Usage: python bench/threads_bench.py   (THREADS_N threads per set, default 200)
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicsocial.settings")
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
ENGLISH = ("Please fix the pothole on Main Street near the school, it has been there for "
           "weeks and a cyclist fell yesterday.", "Thank you, the crew came this morning.",
           "When will the bus lane on Fordham Road open? The signs say next month.")


def baseline_pdf(title: str, lines: list[tuple[str, float, float]]) -> bytes:
    """Productions' thread PDF before issue 15: ReportLab, one font, no shaping."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    text = title + "".join(t for t, _, _ in lines)
    font = "Helvetica"
    if any(ord(c) > 0xFF for c in text):
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
        font = "DejaVuSans"
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=letter, pageCompression=1)
    width, height = letter
    y = height - 62
    canvas.setFont(font, 8)
    canvas.drawString(54, height - 36, title)
    for paragraph, size, indent in lines:
        for line in simpleSplit(paragraph, font, size, width - 108 - indent):
            if y < 54:
                canvas.showPage()
                y = height - 62
            canvas.setFont(font, size)
            canvas.drawString(54 + indent, y, line)
            y -= size * 1.3
    canvas.save()
    return out.getvalue()


def threads(sentences: list[str], n: int, seed: int,
            one_language: bool = False) -> list[dict[str, Any]]:
    """n threads: a post and nine replies, each reply a sentence drawn at random (from
    one language per thread when `one_language`)."""
    rng = random.Random(seed)
    made = []
    for t in range(n):
        pool = [rng.choice(sentences)] if one_language else sentences
        by_id = {}
        for r in range(10):
            item_id = f"t{t}r{r}"
            by_id[item_id] = (SimpleNamespace(kind="comment", platform_id=item_id), [{
                "version": 1, "change": "created", "author": f"@resident{r}",
                "created_at": "2026-11-01T09:00:00+00:00", "captured_at": "2026-11-01T09:01:00+00:00",
                "text": rng.choice(pool)}])
        made.append({"root": f"t{t}r0", "by_id": by_id,
                     "children": {f"t{t}r0": [f"t{t}r{r}" for r in range(1, 10)]}})
    return made


def main() -> None:
    import django

    django.setup()
    from fontTools.ttLib import TTFont

    from civicsocial.records.tests.test_thread_pdf_scripts import SENTENCES
    from civicsocial.records.threads import INDENT, _version_lines, render_thread_pdf

    n = int(os.environ.get("THREADS_N", "200"))
    dejavu = set(TTFont(DEJAVU, lazy=True).getBestCmap())
    corpus = list(SENTENCES.values())
    sets = {"English": threads(list(ENGLISH), n, 1),
            "one of 16 languages per thread": threads(corpus, n, 2, one_language=True),
            "16 languages and emoji mixed in each thread": threads(corpus, n, 3)}
    print("| threads (10 versions each) | now, ms/thread | before, ms/thread | ratio | "
          "characters the baseline cannot draw |\n|---|---|---|---|---|")
    for name, items in sets.items():
        render_thread_pdf("C", "bluesky", "@nyc", **items[0])  # fonts read once: not measured
        now = before = 0.0
        boxes = 0
        for thread in items:
            started = time.perf_counter()
            render_thread_pdf("C", "bluesky", "@nyc", **thread)
            middle = time.perf_counter()
            lines = []
            for item_id in [thread["root"], *thread["children"][thread["root"]]]:
                item, versions = thread["by_id"][item_id]
                heading, text = _version_lines(item, versions[0])
                indent = 0.0 if item_id == thread["root"] else INDENT
                lines += [(heading, 9.0, indent), (text, 11.0, indent)]
            baseline_pdf("C · @nyc on bluesky", lines)
            now, before = now + middle - started, before + time.perf_counter() - middle
            boxes += sum(1 for t, _, _ in lines for c in t if ord(c) > 0xFF and ord(c) not in dejavu)
        now, before = now / len(items) * 1000, before / len(items) * 1000
        print(f"| {name} | {now:.1f} | {before:.1f} | {now / before:.2f} | {boxes:,} |")


if __name__ == "__main__":
    main()
