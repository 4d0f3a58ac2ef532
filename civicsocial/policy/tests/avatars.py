"""The avatars the logo match (P8) is tuned on: positives carry the reference logo at a
random size, place and tilt (up to 10 degrees), sometimes cut off at an edge, recoloured,
on busy backgrounds; negatives are the same kinds of backgrounds with other marks and
words, and look-alikes of the mark (other letters in its frame and lettering, the letters
without the frame, the frame alone). avatars_second.py is the set it is measured on."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont, ImageOps

from civicsocial.policy.logo_reference import draw_reference_logo

SIZE = 256
KINDS = ["mark", "letters", "unframed", "frame", "plain"]
LOOK_ALIKE_LETTERS = ["NYP", "NVC", "KYC", "NYE", "MYC"]  # not those of avatars_second.py
WORDS = ["PARKS", "DOT", "LA", "SFO", "BKLYN", "CITY", "GOV", "NEWS", "311", "HELP", "MTA",
         "ATL", "BOS"]


def _color(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _background(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), _color(rng))
    draw = ImageDraw.Draw(image)
    style = rng.randrange(3)
    if style == 1:  # gradient
        a, b = _color(rng), _color(rng)
        for y in range(SIZE):
            t = y / SIZE
            draw.line([(0, y), (SIZE, y)], fill=tuple(int(a[i] * (1 - t) + b[i] * t) for i in range(3)))
    elif style == 2:  # shapes
        for _ in range(rng.randrange(2, 6)):
            x, y, r = rng.randrange(SIZE), rng.randrange(SIZE), rng.randrange(10, 60)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_color(rng))
    return image


def _mark(rng: random.Random, image: Image.Image) -> None:
    """Something that is not the logo: a word, a shape, a badge."""
    draw = ImageDraw.Draw(image)
    kind = rng.randrange(3)
    if kind == 0:
        font = ImageFont.load_default(size=rng.randrange(40, 110))
        draw.text((SIZE / 2 + rng.randrange(-40, 40), SIZE / 2 + rng.randrange(-40, 40)),
                  rng.choice(WORDS), font=font, fill=_color(rng), anchor="mm",
                  stroke_width=rng.choice([0, 3, 8]), stroke_fill=_color(rng))
    elif kind == 1:
        x, y = rng.randrange(40, SIZE - 40), rng.randrange(40, SIZE - 40)
        points = [(x + rng.randrange(-70, 70), y + rng.randrange(-70, 70))
                  for _ in range(rng.randrange(3, 7))]
        draw.polygon(points, fill=_color(rng), outline=_color(rng))
    else:
        r = rng.randrange(40, 110)
        draw.rounded_rectangle((SIZE / 2 - r, SIZE / 2 - r / 2, SIZE / 2 + r, SIZE / 2 + r / 2),
                               radius=r // 4, outline=_color(rng), width=rng.randrange(2, 10))


def _luma(color: tuple[int, ...]) -> float:
    return 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]


def _contrasting(rng: random.Random, against: tuple[int, ...]) -> tuple[int, int, int]:
    """A random colour a reader can tell from `against` (any hue: colour shifts)."""
    while True:
        color = _color(rng)
        if abs(_luma(color) - _luma(against)) >= 70:
            return color


def _with_logo(rng: random.Random, image: Image.Image, logo: Image.Image) -> None:
    side = int(SIZE * rng.uniform(0.4, 0.95))
    mask = ImageOps.invert(logo.convert("L").resize((side, side)))  # ink where the logo is dark
    mask = mask.rotate(rng.uniform(-10, 10), resample=Image.Resampling.BILINEAR)
    crop = int(side * 0.1)  # up to a tenth of the logo may fall off an edge
    x = rng.randrange(-crop, SIZE - side + crop + 1)
    y = rng.randrange(-crop, SIZE - side + crop + 1)
    if rng.random() < 0.5:  # on a plate of its own colour, as most avatars show it
        under: tuple[int, ...] = _color(rng)
        image.paste(Image.new("RGB", (side, side), under), (x, y))
    else:
        box = (max(x, 0), max(y, 0), min(x + side, SIZE), min(y + side, SIZE))
        under = tuple(int(v) for v in image.crop(box).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))
    ink = Image.new("RGB", (side, side), _contrasting(rng, under))
    image.paste(ink, (x, y), mask)


def _look_alike(rng: random.Random, kind: str) -> Image.Image:
    if kind == "letters":
        return draw_reference_logo(letters=rng.choice(LOOK_ALIKE_LETTERS))
    if kind == "unframed":
        return draw_reference_logo(frame=False)
    return draw_reference_logo(letters="")


def avatar(rng: random.Random, logo: Image.Image, kind: str) -> bytes:
    """One avatar of a kind (KINDS): "mark" carries `logo`; the others do not."""
    image = _background(rng)
    if rng.random() < 0.5:
        _mark(rng, image)
    if kind == "mark":
        _with_logo(rng, image, logo)
    elif kind == "plain":
        _mark(rng, image)
    else:
        _with_logo(rng, image, _look_alike(rng, kind))
    out = io.BytesIO()
    image.save(out, "JPEG" if rng.random() < 0.7 else "PNG", quality=rng.randrange(40, 95))
    return out.getvalue()


def kinds_in_turn(kinds: list[str], count: int) -> list[str]:
    """The kinds of `count` avatars of a set, the same for every generator: every second
    one the first kind (the city's mark), the others in turn between."""
    others = kinds[1:]
    return [kinds[0] if n % 2 == 0 else others[(n // 2) % len(others)] for n in range(count)]


def avatar_set(seed: int, count: int, logo: Image.Image) -> list[tuple[bytes, str]]:
    """`count` avatars with their kind, half with the logo and the rest look-alikes and
    plain avatars in equal shares, reproducibly from `seed`."""
    rng = random.Random(seed)
    return [(avatar(rng, logo, kind), kind) for kind in kinds_in_turn(KINDS, count)]
