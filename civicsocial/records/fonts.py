"""Which installed font draws each character of a thread PDF (P27: a production keeps
every resident's words, in any script New Yorkers write).

The fonts are Debian's Noto families (fonts-noto-core, fonts-noto-cjk and
fonts-noto-color-emoji, installed by scripts/system-deps.sh): Noto Sans for the Latin,
Greek and Cyrillic scripts, a Noto font per other script, Noto Sans CJK for Chinese,
Japanese and Korean, and Noto Color Emoji. A character none of them has is printed as
its code point (U+XXXX) and listed in the production's manifest.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import regex
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from fontTools.unicodedata import script

NOTO = Path("/usr/share/fonts/truetype/noto")
CJK_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_SANS = NOTO / "NotoSans-Regular.ttf"
DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# The body font is Noto Sans cut to the Latin, Greek and Cyrillic scripts and common
# punctuation, once per machine: each thread PDF reads and subsets its fonts again, and
# for the full font (3,300 glyphs) that was a third of a short thread's time. The rest of
# Noto Sans is the first fallback.
BODY_RANGES = ((0x20, 0x24F), (0x300, 0x4FF), (0x1E00, 0x1EFF), (0x2000, 0x206F),
               (0x20A0, 0x20C0), (0x2100, 0x214F), (0xFFFD, 0xFFFD))
EMOJI_FILE = NOTO / "NotoColorEmoji.ttf"
# Faces of the CJK collection: Han characters are drawn the Japanese, Korean or
# Simplified Chinese way according to the kana or Hangul beside them.
CJK_FACES = {"JP": 0, "KR": 1, "SC": 2}
KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
HANGUL = regex.compile(r"\p{Hangul}")
# One emoji as a reader sees it: flags, keycaps, skin tones and ZWJ sequences (families,
# the rainbow flag) are drawn whole by the emoji font, whose ligatures join them; the
# body font also has digits, '#', ZWJ and VS16, so character-by-character fallback
# would split them.
EMOJI_SEQUENCE = regex.compile(
    r"[\U0001F1E6-\U0001F1FF]{2}"
    r"|[0-9#*]\uFE0F?\u20E3"
    r"|(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F)\p{Emoji_Modifier}?"
    r"[\U000E0020-\U000E007F]*"
    r"(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*")
# White space: laid out, never looked up in a font.
INVISIBLE = {"\n", "\t", " "}


@dataclass(frozen=True)
class FontFile:
    """An installed font: the file, and the face in a collection (0 for a plain file)."""

    name: str
    path: Path
    face: int = 0


def _script_fonts() -> list[FontFile]:
    """Every regular Noto font but the emoji one: Noto Sans first, then the sans-serif
    faces of other scripts (they match the body), then the rest (Naskh Arabic, Rashi
    Hebrew, serif faces)."""
    if not NOTO.is_dir():
        return []
    files = sorted((p for p in NOTO.glob("*-Regular.ttf")
                    if p != NOTO_SANS and "Mono" not in p.name and "Display" not in p.name
                    and "Looped" not in p.name and "Unjoined" not in p.name),
                   key=lambda p: (not p.name.startswith("NotoSans"), "UI" in p.name, p.name))
    first = [NOTO_SANS] if NOTO_SANS.exists() else []
    return [FontFile(p.stem.removesuffix("-Regular"), p) for p in first + files]


def _cut(source: Path) -> Path:
    """Noto Sans cut to BODY_RANGES, written once under var/cache/fonts (named by the
    source's size and time, so a font upgrade makes a new cut)."""
    from django.conf import settings

    stat = source.stat()
    target = settings.VAR_DIR / "cache" / "fonts" / \
        f"{source.stem}-body-{stat.st_size}-{stat.st_mtime_ns}.ttf"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=False,
                             layout_features=["*"], name_IDs=["*"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in BODY_RANGES for c in range(low, high + 1)])
    with TTFont(str(source)) as font:
        subsetter.subset(font)
        partial = target.with_suffix(f".{os.getpid()}.part")
        font.save(str(partial))
    os.replace(partial, target)  # atomic: two workers cutting at once both end with one file
    return target


@functools.cache
def body_font() -> FontFile:
    """The font for most text: Noto Sans (cut), or DejaVu Sans where Noto is missing."""
    if NOTO_SANS.exists():
        return FontFile("NotoSansBody", _cut(NOTO_SANS))
    if DEJAVU_SANS.exists():
        return FontFile("DejaVuSans", DEJAVU_SANS)
    raise RuntimeError("No font for thread PDFs: install fonts-noto-core (scripts/system-deps.sh).")


@functools.cache
def coverage(font: FontFile) -> frozenset[int]:
    """The code points a font has a glyph for (read once per process)."""
    if font.path.suffix == ".ttc":
        collection = TTCollection(str(font.path), lazy=True)
        return frozenset(collection.fonts[font.face].getBestCmap())
    with TTFont(str(font.path), lazy=True) as ttf:
        return frozenset(ttf.getBestCmap())


@functools.cache
def _fallback_index() -> dict[int, FontFile]:
    """Code point -> the first fallback font that has it (read once per process)."""
    index: dict[int, FontFile] = {}
    for font in _script_fonts():
        for code in coverage(font):
            index.setdefault(code, font)
    return index


def cjk_font(text: str) -> FontFile | None:
    """The CJK face that suits a paragraph's language, when the collection is installed:
    Japanese beside kana, Korean beside Hangul, Simplified Chinese otherwise."""
    if not CJK_FILE.exists():
        return None
    face = "JP" if KANA.search(text) else "KR" if HANGUL.search(text) else "SC"
    return FontFile(f"NotoSansCJK{face}", CJK_FILE, CJK_FACES[face])


def emoji_font() -> FontFile | None:
    """Noto Color Emoji, when installed."""
    return FontFile("NotoColorEmoji", EMOJI_FILE) if EMOJI_FILE.exists() else None


@dataclass
class FontPlan:
    """The fonts one document needs: the body font, the fallbacks in the order they are
    tried, the CJK face of each paragraph that needs one, the emoji font, and the
    characters that none of them has (printed as U+XXXX)."""

    body: FontFile
    fallbacks: list[FontFile]
    cjk: dict[str, FontFile]
    emoji: FontFile | None
    missing: set[str]

    def _faces(self) -> list[FontFile]:
        return sorted(set(self.cjk.values()), key=lambda f: f.face)

    def fonts(self) -> list[FontFile]:
        """Every font the document embeds but the body font, each once."""
        found = self.fallbacks + self._faces()
        return found + ([self.emoji] if self.emoji and self.emoji not in found else [])

    def fallbacks_for(self, paragraph: str) -> list[FontFile]:
        """The fallback order for a paragraph: its own CJK face first when it has one, so
        that its punctuation (。、「」) is the CJK font's too, then the others."""
        own = self.cjk.get(paragraph)
        return ([own] if own else []) + self.fallbacks + [f for f in self._faces() if f != own]


def _needs_no_glyph(char: str) -> bool:
    """Characters that need no glyph: line breaks, and format characters (ZWJ, variation
    selectors, bidi marks) that only steer shaping and direction. Control characters do
    need one: some fonts map them to an empty glyph, which would hide them."""
    return char in INVISIBLE or unicodedata.category(char) == "Cf" or \
        0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def _common(char: str) -> bool:
    return script(char) in ("Zyyy", "Zinh", "Zzzz")


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in INVISIBLE


def plan_fonts(paragraphs: list[str]) -> FontPlan:
    """Choose the fonts for a document made of these paragraphs. Letters of a script
    choose its font first; punctuation and marks shared by scripts then go to a font
    already chosen, so an Arabic comma stays in the Arabic font."""
    body, emoji = body_font(), emoji_font()
    text = "\n".join(paragraphs)
    rest = EMOJI_SEQUENCE.sub("", text) if emoji else text
    needed = sorted((c for c in set(rest) if ord(c) not in coverage(body) and not _needs_no_glyph(c)),
                    key=lambda c: (_common(c), c))
    any_cjk = cjk_font("") if needed else None
    chosen: list[FontFile] = []
    missing = {c for c in needed if _unprintable(c)}
    in_cjk: set[str] = set()
    for char in needed:
        if char in missing:
            continue
        font = next((f for f in chosen if ord(char) in coverage(f)), None) or \
            _fallback_index().get(ord(char))
        if font is None and any_cjk and ord(char) in coverage(any_cjk):
            in_cjk.add(char)
            continue
        if font is None and emoji and ord(char) in coverage(emoji):
            font = emoji
        if font is None:
            missing.add(char)
        elif font not in chosen:
            chosen.append(font)
    cjk = {p: face for p in paragraphs if in_cjk.intersection(p) and (face := cjk_font(p))}
    return FontPlan(body, chosen, cjk, emoji if emoji and (rest != text or emoji in chosen) else None,
                    missing)


def code_point(char: str) -> str:
    """How a character no font has is printed: U+XXXX."""
    return f"U+{ord(char):04X}"


def describe(char: str) -> dict[str, str]:
    """A missing character as the manifest lists it."""
    return {"code_point": code_point(char), "name": unicodedata.name(char, "(no name)"),
            "category": unicodedata.category(char)}
