"""A fourth avatar generator (issue 14), written after the logo match's thresholds were
fixed on avatars.py, avatars_second.py and avatars_third.py, and never used to choose
one: its figures are the ones `test_logo_match.py` asserts and the README reports.

It differs from the others on purpose: avatars of any size from 150 to 600 pixels;
backgrounds of layered value noise, plaid, confetti, bricks and radial gradients, with
sensor noise; the city's mark at 32-90% of the avatar, tilted up to 15 degrees, up to an
eighth cut off at an edge, in a colour that differs from its surroundings by hue as much
as by brightness, light on a dark rounded plate at times, outlined like a sticker at times;
saved as JPEG at quality 20-60 (sometimes twice) or lossy WebP, sometimes blurred.
Look-alikes: other letters in the same frame and lettering (NYD, AYC, NYQ, NKC, NYCB), the
same in DejaVu's oblique and condensed faces, the letters without the frame, the frame
alone or around another agency's initials; and plain avatars."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.tests.avatars import kinds_in_turn

KINDS = ["mark", "letters", "fonts", "unframed", "frame", "plain"]
LETTERS = ["NYD", "AYC", "NYQ", "NKC", "NYCB"]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FACES = ["DejaVuSans-BoldOblique.ttf", "DejaVuSerifCondensed-Bold.ttf", "DejaVuSansCondensed-Bold.ttf"]
INITIALS = ["DOT", "DEP", "HPD", "DOE", "FDNY"]


def _rgb(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def _value_noise(rng: random.Random, size: int) -> Image.Image:
    layers = []
    for cells in (4, 9, 23):
        values = bytes(rng.randrange(256) for _ in range(cells * cells * 3))
        grid = Image.frombytes("RGB", (cells, cells), values)
        layers.append(grid.resize((size, size), Image.Resampling.BICUBIC))
    return Image.blend(Image.blend(layers[0], layers[1], 0.4), layers[2], 0.25)


def _background(rng: random.Random, size: int) -> Image.Image:
    style = rng.choice(["noise", "plaid", "confetti", "bricks", "radial"])
    if style == "noise":
        image = _value_noise(rng, size)
    elif style == "radial":
        ring = Image.radial_gradient("L").resize((size, size))
        image = Image.composite(Image.new("RGB", (size, size), _rgb(rng)),
                                Image.new("RGB", (size, size), _rgb(rng)), ring)
    else:
        image = Image.new("RGB", (size, size), _rgb(rng))
        draw = ImageDraw.Draw(image, "RGBA")
        if style == "plaid":
            step = rng.randrange(size // 12, size // 5)
            for offset in range(0, size, step):
                width = rng.randrange(3, step // 2 + 4)
                draw.rectangle((offset, 0, offset + width, size), fill=(*_rgb(rng), 140))
                draw.rectangle((0, offset, size, offset + width), fill=(*_rgb(rng), 140))
        elif style == "confetti":
            for _ in range(rng.randrange(60, 200)):
                x, y, r = rng.randrange(size), rng.randrange(size), rng.randrange(2, max(3, size // 25))
                draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgb(rng))
        else:
            height, mortar = rng.randrange(size // 14, size // 6), _rgb(rng)
            for row, y in enumerate(range(0, size, height)):
                for x in range(-(row % 2) * height, size, 2 * height):
                    draw.rectangle((x, y, x + 2 * height - 3, y + height - 3), fill=_rgb(rng),
                                   outline=mortar)
    grain = Image.effect_noise((size, size), 12).convert("RGB")
    return Image.blend(image, grain, 0.08)


def _artwork(rng: random.Random, kind: str, side: int) -> Image.Image:
    """The mark or a look-alike, black on white, `side` pixels square."""
    if kind == "mark":
        return draw_reference_logo(side)
    if kind == "letters":
        letters = rng.choice(LETTERS)
        font = ImageFont.load_default(size=side * (0.42 if len(letters) == 3 else 0.32))
        return draw_reference_logo(side, letters=letters, font=font)
    if kind == "fonts":
        font = ImageFont.truetype(str(DEJAVU / rng.choice(FACES)), int(side * 0.33))
        return draw_reference_logo(side, letters=rng.choice(LETTERS[:4]), font=font)
    if kind == "unframed":
        return draw_reference_logo(side, frame=False)
    if rng.random() < 0.5:
        return draw_reference_logo(side, letters="")
    font = ImageFont.load_default(size=side * 0.3)
    return draw_reference_logo(side, letters=rng.choice(INITIALS), font=font)


def _distinct(rng: random.Random, against: tuple[float, ...]) -> tuple[int, int, int]:
    """A colour far from `against` in RGB: by hue as much as by brightness."""
    while True:
        colour = _rgb(rng)
        if sum((a - b) ** 2 for a, b in zip(colour, against, strict=True)) ** 0.5 >= 150:
            return colour


def _stamp(rng: random.Random, image: Image.Image, artwork: Image.Image) -> None:
    size, side = image.width, artwork.width
    mask = ImageOps.invert(artwork.convert("L")).rotate(rng.uniform(-15, 15), expand=True,
                                                         resample=Image.Resampling.BICUBIC)
    cut = side // 8
    low, high = -cut, size - mask.width + cut
    x = rng.randrange(low, high + 1) if high >= low else (size - mask.width) // 2
    y = rng.randrange(low, high + 1) if high >= low else (size - mask.width) // 2
    box = (max(x, 0), max(y, 0), min(x + mask.width, size), min(y + mask.width, size))
    if rng.random() < 0.3:  # light ink on a dark rounded plate
        plate = (rng.randrange(0, 60), rng.randrange(0, 60), rng.randrange(0, 80))
        inset = mask.width // 10
        ImageDraw.Draw(image).rounded_rectangle(
            (x + inset, y + inset, x + mask.width - inset, y + mask.width - inset),
            radius=mask.width // 6, fill=plate)
        ink = _distinct(rng, plate)
    else:
        mean = image.crop(box).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
        ink = _distinct(rng, tuple(mean))  # type: ignore[arg-type]
    if rng.random() < 0.15:  # outlined like a sticker
        outline = mask.filter(ImageFilter.MaxFilter(5))
        image.paste(Image.new("RGB", mask.size, "white"), (x, y), outline)
    image.paste(Image.new("RGB", mask.size, ink), (x, y), mask)


def _plain(rng: random.Random, image: Image.Image) -> None:
    size = image.width
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(DEJAVU / rng.choice(FACES)), rng.randrange(size // 8, size // 4))
    draw.text((size / 2, size / 2), rng.choice([*INITIALS, "NEWS", "ALERTS"]), font=font,
              fill=_rgb(rng), anchor="mm")


def _saved(rng: random.Random, image: Image.Image) -> bytes:
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    out = io.BytesIO()
    if rng.random() < 0.3:
        image.save(out, "WEBP", quality=rng.randrange(30, 70))
        return out.getvalue()
    image.save(out, "JPEG", quality=rng.randrange(20, 61))
    if rng.random() < 0.3:  # saved again, as a re-upload is
        again = io.BytesIO()
        Image.open(io.BytesIO(out.getvalue())).save(again, "JPEG", quality=rng.randrange(30, 61))
        return again.getvalue()
    return out.getvalue()


def avatar(rng: random.Random, kind: str) -> bytes:
    """One avatar of a kind (KINDS): "mark" carries the city's mark, every other kind not."""
    size = rng.randrange(150, 601)
    image = _background(rng, size)
    if kind == "plain":
        _plain(rng, image)
    else:
        _stamp(rng, image, _artwork(rng, kind, int(size * rng.uniform(0.32, 0.9))))
    return _saved(rng, image)


def avatar_set(seed: int, count: int) -> list[tuple[bytes, str]]:
    """`count` avatars with their kind, half of them the city's mark and the rest the other
    kinds in equal shares; reproducible from `seed`."""
    rng = random.Random(seed)
    return [(avatar(rng, kind), kind) for kind in kinds_in_turn(KINDS, count)]
