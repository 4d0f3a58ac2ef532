"""A fifth avatar generator (issue 14), written after the logo match's thresholds were
fixed on the four earlier generators, and never used to choose one: its figures are the
ones `test_logo_match.py` asserts and the README reports.

It differs from the others on purpose: avatars of 128 to 800 pixels; backgrounds of
diagonal stripes, a landscape (sky, hills, sun), tiled words, a tilted chequer, blurred
colour noise and rings; the city's mark at 35-85% of the avatar, tilted up to 15 degrees,
up to a tenth cut off at an edge, inked apart from its surroundings by brightness or by
hue alone, at times on a round coloured badge, at times in a slight gradient or
with a soft drop shadow; saved as JPEG at quality 15-75 with any chroma subsampling,
lossy WebP or PNG, at times shrunk and enlarged again or sharpened as platforms do.
Look-alikes: other letters in the same frame and lettering (NYS, NYU, NJC, MYC, NYG,
NYCS), other letters in DejaVu's bold sans, serif and mono faces, the letters without the
frame, the frame alone or around other initials; and plain avatars."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.tests.avatars import kinds_in_turn

KINDS = ["mark", "letters", "fonts", "unframed", "frame", "plain"]
LETTERS = ["NYS", "NYU", "NJC", "MYC", "NYG", "NYCS"]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FACES = ["DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono-Bold.ttf"]
INITIALS = ["DSNY", "NYPD", "DCAS", "HRA", "DOH"]
WORDS = ["PARKS", "311", "CITY", "HALL", "BUS", "OPEN"]


def _rgb(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def _luma(colour: tuple[int, ...]) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _background(rng: random.Random, size: int) -> Image.Image:
    style = rng.choice(["stripes", "landscape", "words", "chequer", "blur", "rings"])
    image = Image.new("RGB", (size, size), _rgb(rng))
    draw = ImageDraw.Draw(image)
    if style == "stripes":
        big = Image.new("RGB", (size * 2, size * 2), _rgb(rng))
        stripes, y = ImageDraw.Draw(big), 0
        while y < size * 2:
            height = rng.randrange(max(4, size // 30), max(5, size // 6))
            stripes.rectangle((0, y, size * 2, y + height), fill=_rgb(rng))
            y += height
        image = big.rotate(rng.uniform(20, 70)).crop((size // 2, size // 2, size * 3 // 2, size * 3 // 2))
    elif style == "landscape":
        top, bottom = _rgb(rng), _rgb(rng)
        for y in range(size):
            share = y / size
            colour = tuple(int(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
            draw.line((0, y, size, y), fill=colour)
        sun = rng.randrange(size // 10, size // 4)
        x = rng.randrange(size)
        draw.ellipse((x - sun, sun, x + sun, 3 * sun), fill=_rgb(rng))
        for _ in range(rng.randrange(2, 5)):
            base = rng.randrange(size // 2, size)
            draw.polygon([(0, size), (rng.randrange(size), base - rng.randrange(size // 3)), (size, size)],
                         fill=_rgb(rng))
    elif style == "words":
        font = ImageFont.truetype(str(DEJAVU / "DejaVuSans.ttf"), max(8, size // 14))
        ink, step = _rgb(rng), max(10, size // 10)
        for row, y in enumerate(range(0, size, step)):
            line = "  ".join(rng.choice(WORDS) for _ in range(12))
            draw.text(((row % 3) * -step, y), line, font=font, fill=ink)
    elif style == "chequer":
        big = Image.new("RGB", (size * 2, size * 2), _rgb(rng))
        squares, other = ImageDraw.Draw(big), _rgb(rng)
        cell = rng.randrange(max(6, size // 20), max(7, size // 5))
        for y in range(0, size * 2, cell):
            for x in range((y // cell) % 2 * cell, size * 2, 2 * cell):
                squares.rectangle((x, y, x + cell - 1, y + cell - 1), fill=other)
        image = big.rotate(rng.uniform(-45, 45)).crop((size // 2, size // 2, size * 3 // 2, size * 3 // 2))
    elif style == "blur":
        cells = rng.randrange(6, 40)
        values = bytes(rng.randrange(256) for _ in range(cells * cells * 3))
        noise = Image.frombytes("RGB", (cells, cells), values).resize((size, size), Image.Resampling.BILINEAR)
        image = noise.filter(ImageFilter.GaussianBlur(size / 80))
    else:
        for radius in range(size, 0, -rng.randrange(max(4, size // 25), max(5, size // 8))):
            centre = size // 2
            draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=_rgb(rng))
    return image


def _artwork(rng: random.Random, kind: str, side: int) -> Image.Image:
    """The mark or a look-alike, black on white, `side` pixels square."""
    if kind == "mark":
        return draw_reference_logo(side)
    if kind == "letters":
        letters = rng.choice(LETTERS)
        font = ImageFont.load_default(size=side * (0.42 if len(letters) == 3 else 0.31))
        return draw_reference_logo(side, letters=letters, font=font)
    if kind == "fonts":
        font = ImageFont.truetype(str(DEJAVU / rng.choice(FACES)), int(side * 0.3))
        return draw_reference_logo(side, letters=rng.choice(LETTERS[:5]), font=font)
    if kind == "unframed":
        return draw_reference_logo(side, frame=False)
    if rng.random() < 0.5:
        return draw_reference_logo(side, letters="")
    font = ImageFont.load_default(size=side * 0.28)
    return draw_reference_logo(side, letters=rng.choice(INITIALS), font=font)


def _ink_for(rng: random.Random, around: tuple[int, ...]) -> tuple[int, int, int]:
    """An ink apart from `around`: by brightness, or (a third of the time) by hue alone."""
    hue_only = rng.random() < 0.33
    while True:
        ink = _rgb(rng)
        apart = sum((a - b) ** 2 for a, b in zip(ink, around, strict=True)) ** 0.5
        bright = abs(_luma(ink) - _luma(around))
        if (hue_only and apart >= 130 and bright < 40) or (not hue_only and bright >= 70):
            return ink


def _fill(rng: random.Random, size: tuple[int, int], ink: tuple[int, int, int]) -> Image.Image:
    """The ink as a layer: flat, or (sometimes) a slight top-to-bottom gradient."""
    if rng.random() >= 0.15:
        return Image.new("RGB", size, ink)
    other = tuple(max(0, min(255, c + rng.randrange(-25, 26))) for c in ink)
    ramp = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, other), Image.new("RGB", size, ink), ramp)


def _stamp(rng: random.Random, image: Image.Image, artwork: Image.Image) -> None:
    size = image.width
    mask = ImageOps.invert(artwork.convert("L")).rotate(rng.uniform(-15, 15), expand=True,
                                                         resample=Image.Resampling.BICUBIC)
    cut = mask.width // 10
    x = rng.randrange(-cut, max(-cut, size - mask.width + cut) + 1)
    y = rng.randrange(-cut, max(-cut, size - mask.width + cut) + 1)
    if rng.random() < 0.25:  # a round badge in a colour, the mark on it
        badge = _rgb(rng)
        reach = (x - cut, y - cut, x + mask.width + cut, y + mask.width + cut)
        ImageDraw.Draw(image).ellipse(reach, fill=badge)
        around: tuple[int, ...] = badge
    else:
        box = (max(x, 0), max(y, 0), min(x + mask.width, size), min(y + mask.width, size))
        around = image.crop(box).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))  # type: ignore[assignment]
    if rng.random() < 0.12:  # a soft drop shadow
        offset = max(1, mask.width // rng.randrange(25, 50))
        shadow = mask.point(lambda v: v * 2 // 5).filter(ImageFilter.GaussianBlur(offset / 2))
        image.paste(Image.new("RGB", mask.size, "black"), (x + offset, y + offset), shadow)
    image.paste(_fill(rng, mask.size, _ink_for(rng, around)), (x, y), mask)


def _plain(rng: random.Random, image: Image.Image) -> None:
    size = image.width
    font = ImageFont.truetype(str(DEJAVU / rng.choice(FACES)), rng.randrange(size // 9, size // 4))
    ImageDraw.Draw(image).text((size / 2, size / 2), rng.choice([*INITIALS, *WORDS]), font=font,
                               fill=_rgb(rng), anchor="mm")


def _saved(rng: random.Random, image: Image.Image) -> bytes:
    if rng.random() < 0.2:  # uploaded small, shown large
        small = max(64, int(image.width * rng.uniform(0.4, 0.7)))
        shrunk = image.resize((small, small), Image.Resampling.BILINEAR)
        image = shrunk.resize(image.size, Image.Resampling.BICUBIC)
    if rng.random() < 0.2:  # sharpened, as some platforms do
        image = image.filter(ImageFilter.UnsharpMask(radius=2, percent=rng.randrange(60, 160)))
    out, style = io.BytesIO(), rng.random()
    if style < 0.25:
        image.save(out, "WEBP", quality=rng.randrange(25, 81))
    elif style < 0.35:
        image.save(out, "PNG")
    else:
        image.save(out, "JPEG", quality=rng.randrange(15, 76), subsampling=rng.choice([0, 1, 2]))
    return out.getvalue()


def avatar(rng: random.Random, kind: str) -> bytes:
    """One avatar of a kind (KINDS): "mark" carries the city's mark, every other kind not."""
    size = rng.randrange(128, 801)
    image = _background(rng, size)
    if kind == "plain":
        _plain(rng, image)
    else:
        _stamp(rng, image, _artwork(rng, kind, int(size * rng.uniform(0.35, 0.85))))
    return _saved(rng, image)


def avatar_set(seed: int, count: int) -> list[tuple[bytes, str]]:
    """`count` avatars with their kind, half of them the city's mark and the rest the other
    kinds in equal shares; reproducible from `seed`."""
    rng = random.Random(seed)
    return [(avatar(rng, kind), kind) for kind in kinds_in_turn(KINDS, count)]
