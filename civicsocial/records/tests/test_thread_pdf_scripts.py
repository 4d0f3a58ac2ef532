# ruff: noqa: RUF001  (the corpus is text in many scripts, on purpose)
"""P27, issue 15: a production's thread PDFs keep every resident's words, in every script
New Yorkers write. Each sentence below is archived as a comment, produced for a FOIL
case, and read back from the PDF's text layer with poppler's `pdftotext`; the fonts must
be embedded (`pdffonts`). A character no installed font has is printed as U+XXXX and
listed in the manifest."""

import io
import re
import subprocess
import unicodedata
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from django.test import SimpleTestCase, TestCase
from pypdf import PdfReader

from civicsocial.records.tests.helpers import archive, line, produce_everything
from civicsocial.records.threads import GRAPHEME, right_to_left, wrap

# Local Law 30's ten languages, then Hebrew, Hindi, Tamil, Japanese, Thai, accents
# written as combining marks, and emoji sequences (flags, skin tones, families, keycaps).
SENTENCES = {
    "spanish": "La calle 5 está inundada; ¿cuándo vendrán a limpiar el desagüe?",
    "chinese": "我家门口的路灯坏了三天了，请尽快修理。",
    "traditional_chinese": "華埠的垃圾桶已經滿了，請派人清理。",
    "russian": "Во дворе на Брайтон-Бич не вывозят мусор уже неделю.",
    "bengali": "আমাদের রাস্তায় গর্ত হয়েছে, দয়া করে মেরামত করুন।",
    "haitian_creole": "Tanpri, lekòl la bezwen plis limyè devan pòt la.",
    "korean": "플러싱 32번가에 쓰레기가 쌓여 있습니다.",
    "arabic": "الرجاء إصلاح إشارة المرور عند تقاطع الشارع الرابع.",
    "urdu": "براہ کرم ہمارے محلے میں پانی کی فراہمی بحال کریں۔",
    "french": "Le métro était en retard ce matin à cause d'un incident à Crown Heights.",
    "polish": "Proszę naprawić chodnik przy ulicy Greenpoint, jest bardzo śliski.",
    "hebrew": "המדרכה ברחוב הראשי שבורה כבר חודש.",
    "hindi": "कृपया हमारे पार्क में बच्चों के लिए झूले ठीक करें।",
    "tamil": "எங்கள் தெருவில் விளக்குகள் எரியவில்லை.",
    "japanese": "駅前の自転車置き場がいっぱいです。",
    "thai": "ถนนหน้าบ้านมีน้ำท่วมขังทุกครั้งที่ฝนตก",
    "combining": "Cafe\u0301 cre\u0300me bru\u0302le\u0301e, man\u0303ana, Zo\u0308e",
    "emoji": "Thanks 👍🏽 NYC 🇺🇸 🏳️‍🌈 family 👨‍👩‍👧‍👦 keycaps 1️⃣ #️⃣ love ❤️ 👩🏿‍🚒",
}
LAM_ALEF = re.compile("(\u0644)([\u0622\u0623\u0625\u0627])")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def normalized(text: str) -> str:
    """NFC, without the direction marks pdftotext adds around right-to-left runs, and
    with any run of white space as one space (lines wrap where the page ends)."""
    return " ".join(unicodedata.normalize("NFC", BIDI_CONTROLS.sub("", text)).split())


def as_poppler_reads(sentence: str) -> str:
    """What pdftotext gives back for a sentence whose glyphs map exactly to its text.
    poppler reads a page of mostly left-to-right text (the headings are English) a line
    at a time from the left, reversing each right-to-left run character by character
    (its reorderText). So a right-to-left sentence's final stop, drawn at its left end
    as it should be, comes first; and the lam-alef ligature, one glyph that maps to
    lam then alef, comes back as alef then lam (the same reading as pdfminer.six #850
    and PyMuPDF #2199). Every other character comes back in order."""
    if not right_to_left(sentence):
        return sentence
    body = sentence.rstrip(".!?")
    return LAM_ALEF.sub(r"\2\1", sentence[len(body):] + body)


def run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError as error:  # make test installs poppler-utils (system-deps.sh)
        raise AssertionError(f"{command[0]} is missing: run scripts/system-deps.sh") from error


def produce(*texts: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Archive the texts as replies to one post, produce them; the manifest and PDFs."""
    archive(line("p1", kind="post", text="Tell us what needs fixing in your street."),
            *[line(f"c{n}", minutes=n + 1, parent_id="p1", text=t) for n, t in enumerate(texts)])
    return produce_everything()


def pdf_tool(tool: str, pdf: bytes) -> str:
    with TemporaryDirectory() as work:
        path = Path(work) / "thread.pdf"
        path.write_bytes(pdf)
        return run(tool, str(path), *(["-"] if tool == "pdftotext" else []))


class ThreadPdfScriptsTestCase(TestCase):
    def test_it_keeps_every_sentence_in_every_script_in_the_text_layer(self):
        manifest, pdfs = produce(*SENTENCES.values())
        self.assertEqual(len(pdfs), 1)
        text = normalized(pdf_tool("pdftotext", next(iter(pdfs.values()))))
        for language, sentence in SENTENCES.items():
            with self.subTest(language):
                self.assertIn(normalized(as_poppler_reads(sentence)), text)
        self.assertEqual(manifest["unprintable_characters"], [])

    def test_it_embeds_every_font_it_uses(self):
        _, pdfs = produce(*SENTENCES.values())
        rows = pdf_tool("pdffonts", next(iter(pdfs.values()))).splitlines()[2:]
        names = " ".join(row.split()[0] for row in rows)
        for family in ("NotoSans", "NotoSansArabic", "NotoSansBengali", "NotoSansHebrew",
                       "NotoSansDevanagari", "NotoSansTamil", "NotoSansThai", "NotoSansCJK"):
            self.assertIn(family, names)
        self.assertTrue(rows)
        for row in rows:  # name, type..., then "emb sub uni"; emoji are a Type 3 font
            self.assertEqual(row.split()[-5], "yes", f"not embedded: {row}")

    def test_it_draws_each_emoji_sequence_as_one_colour_glyph(self):
        sequences = ["👍🏽", "🇺🇸", "🏳️‍🌈", "👨‍👩‍👧‍👦", "1️⃣", "#️⃣", "❤️", "👩🏿‍🚒"]
        _, pdfs = produce(" ".join(sequences))
        fonts = PdfReader(io.BytesIO(next(iter(pdfs.values())))).pages[0]["/Resources"]["/Font"]
        colour = [f.get_object() for f in fonts.values() if f.get_object()["/Subtype"] == "/Type3"]
        self.assertEqual(len(colour), 1)  # Noto Color Emoji, drawn as a Type 3 font
        glyphs = re.findall(r"<([0-9A-F]+)> <([0-9A-F]+)>",
                            colour[0]["/ToUnicode"].get_object().get_data().decode())
        drawn = {bytes.fromhex(text).decode("utf-16-be") for _, text in glyphs if len(text) % 4 == 0}
        for sequence in sequences:  # a family or a flag taken apart would be several glyphs
            self.assertIn(sequence, drawn)

    def test_it_embeds_the_font_of_a_plain_english_thread_too(self):
        _, pdfs = produce("Please fix the pothole on Main Street.")
        rows = pdf_tool("pdffonts", next(iter(pdfs.values()))).splitlines()[2:]
        self.assertEqual([row.split()[-5] for row in rows], ["yes"])
        self.assertIn("Please fix the pothole on Main Street.",
                      normalized(pdf_tool("pdftotext", next(iter(pdfs.values())))))

    def test_it_prints_a_character_no_font_has_as_its_code_point_and_lists_it(self):
        manifest, pdfs = produce("Private use \ue000 here", "A bell\x07rang", "Fine 👍")
        name = next(iter(pdfs))
        text = normalized(pdf_tool("pdftotext", pdfs[name]))
        self.assertIn("Private use U+E000 here", text)
        self.assertIn("A bellU+0007rang", text)
        self.assertIn("Fine 👍", text)
        listed = {c["code_point"]: c for c in manifest["unprintable_characters"]}
        self.assertEqual(set(listed), {"U+E000", "U+0007"})
        self.assertEqual(listed["U+E000"]["threads"], [name])
        self.assertEqual(listed["U+0007"]["name"], "(no name)")

    def test_it_sets_a_right_to_left_comment_against_the_right_margin(self):
        _, pdfs = produce(SENTENCES["hebrew"], SENTENCES["spanish"])
        with TemporaryDirectory() as work:
            path = Path(work) / "thread.pdf"
            path.write_bytes(next(iter(pdfs.values())))
            words = run("pdftotext", "-bbox", str(path), "-")
        boxes = [(float(x), w) for x, w in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]+)<', words)]
        hebrew = [x for x, w in boxes if any("\u0590" <= c <= "\u05ff" for c in w)]
        spanish = [x for x, w in boxes if "cuándo" in w]
        self.assertGreater(max(hebrew), 550)  # a letter page is 612 pt wide, margins 54 pt
        self.assertLess(max(spanish), 300)


class WrapTestCase(SimpleTestCase):
    @staticmethod
    def measure(text: str) -> float:
        return 6.0 * len(GRAPHEME.findall(text))

    def test_it_fits_every_line_and_loses_nothing(self):
        text = "short words then " + "W" * 500 + " and more words after it " * 20
        lines = wrap(text, 300, self.measure)
        self.assertGreater(len(lines), 5)
        self.assertTrue(all(self.measure(x) <= 300 for x in lines))
        self.assertEqual("".join(lines).replace(" ", ""), text.replace(" ", ""))

    def test_it_breaks_a_long_run_without_spaces_between_grapheme_clusters(self):
        text = "ถนนหน้าบ้าน" * 10 + "👨‍👩‍👧‍👦" * 30 + "क्षत्रिय" * 10
        lines = wrap(text, 60, self.measure)
        self.assertEqual("".join(lines), text)
        clusters, cuts, at = set(), set(), 0
        for cluster in GRAPHEME.findall(text):
            at += len(cluster)
            clusters.add(at)
        at = 0
        for piece in lines:
            at += len(piece)
            cuts.add(at)
        self.assertGreater(len(lines), 10)
        self.assertLessEqual(cuts, clusters)  # never inside a cluster: no mark, ZWJ or virama alone

    def test_it_keeps_line_breaks_and_blank_lines(self):
        self.assertEqual(wrap("one\n\ntwo", 300, self.measure), ["one", "", "two"])
