"""A second avatar generator, written apart from avatars.py and never used to tune the
logo match (issue 14): its figures are the ones `test_logo_match.py` asserts.

It differs on purpose: 320-pixel avatars; backgrounds of noise, stripes, checks and
scribbled lines; the city's mark tilted up to 15 degrees, 35-90% of the avatar, up to an
eighth cut off at an edge, in any colour or inverted, sometimes blurred, always saved as
JPEG at quality 25-70. Look-alikes share most of the mark: other letters in the same frame
and lettering (NYS, NYU, NYG, NJC), the same in DejaVu fonts, the mark without its frame,
the frame without the mark; and plain avatars with words and shapes."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.tests.avatars import kinds_in_turn

SIZE = 320
LOOK_ALIKE_LETTERS = ["NYS", "NYU", "NYG", "NJC"]
FONTS = Path("/usr/share/fonts/truetype/dejavu")
KINDS = ["mark", "letters", "font", "unframed", "frame", "plain"]


def _rgb(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _busy(rng: random.Random) -> Image.Image:
    style = rng.randrange(4)
    if style == 0:  # blurred colour noise
        small = Image.frombytes("RGB", (20, 20), bytes(rng.randrange(256) for _ in range(1200)))
        return small.resize((SIZE, SIZE), Image.Resampling.BICUBIC)
    image = Image.new("RGB", (SIZE, SIZE), _rgb(rng))
    draw = ImageDraw.Draw(image)
    if style == 1:  # stripes at an angle
        step, colour = rng.randrange(8, 30), _rgb(rng)
        for x in range(-SIZE, 2 * SIZE, step * 2):
            draw.polygon([(x, 0), (x + step, 0), (x + step + SIZE // 2, SIZE), (x + SIZE // 2, SIZE)],
                         fill=colour)
    elif style == 2:  # checks
        step, colour = rng.randrange(16, 64), _rgb(rng)
        for i in range(0, SIZE, step):
            for j in range(0, SIZE, step):
                if (i // step + j // step) % 2:
                    draw.rectangle((i, j, i + step, j + step), fill=colour)
    else:  # scribbles
        for _ in range(rng.randrange(10, 40)):
            draw.line([(rng.randrange(SIZE), rng.randrange(SIZE)) for _ in range(3)],
                      fill=_rgb(rng), width=rng.randrange(1, 6))
    return image


def _font(rng: random.Random, size: int) -> ImageFont.FreeTypeFont:
    name = rng.choice(["DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono-Bold.ttf",
                       "DejaVuSansCondensed-Bold.ttf"])
    return ImageFont.truetype(str(FONTS / name), int(size * 0.36))


def _mark_image(rng: random.Random, kind: str, side: int) -> Image.Image:
    if kind == "mark":
        return draw_reference_logo(side)
    if kind == "letters":
        return draw_reference_logo(side, letters=rng.choice(LOOK_ALIKE_LETTERS))
    if kind == "font":
        return draw_reference_logo(side, letters=rng.choice(LOOK_ALIKE_LETTERS), font=_font(rng, side))
    if kind == "unframed":
        return draw_reference_logo(side, frame=False)
    return draw_reference_logo(side, letters="")  # the frame alone


def _stamp(rng: random.Random, image: Image.Image, mark: Image.Image) -> None:
    """Ink the mark (dark = ink) onto the image: tilted, placed, in a colour of its own."""
    side, angle = mark.width, rng.uniform(-15, 15)
    ink_mask = ImageOps.invert(mark.convert("L")).rotate(angle, expand=True,
                                                          resample=Image.Resampling.BICUBIC)
    width, cut = ink_mask.width, side // 8
    room = SIZE - width + cut
    x = rng.randrange(-cut, room + 1) if room >= -cut else (SIZE - width) // 2
    y = rng.randrange(-cut, room + 1) if room >= -cut else (SIZE - width) // 2
    if rng.random() < 0.6:  # on a tilted plate, dark under light ink (inverted) or light under dark
        under = tuple(rng.randrange(0, 70) if rng.random() < 0.5 else rng.randrange(185, 256)
                      for _ in range(1)) * 3
        plate = Image.new("L", (side, side), 255).rotate(angle, expand=True)
        image.paste(Image.new("RGB", plate.size, under), (x, y), plate)
        ink = tuple(max(0, min(255, 255 - v + rng.randrange(-25, 25))) for v in under)
    else:
        box = (max(x, 0), max(y, 0), min(x + width, SIZE), min(y + width, SIZE))
        mean = ImageOps.grayscale(image.crop(box)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
        while True:
            ink = _rgb(rng)
            if abs(0.299 * ink[0] + 0.587 * ink[1] + 0.114 * ink[2] - float(mean)) >= 80:
                break
    image.paste(Image.new("RGB", ink_mask.size, ink), (x, y), ink_mask)


def _plain(rng: random.Random, image: Image.Image) -> None:
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(1, 3)):
        if rng.random() < 0.6:
            font = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), rng.randrange(30, 90))
            draw.text((rng.randrange(40, SIZE - 40), rng.randrange(40, SIZE - 40)),
                      rng.choice(["PARKS", "311", "DSNY", "FDNY", "HELP", "CITY", "NY", "GOV"]),
                      font=font, fill=_rgb(rng), anchor="mm")
        else:
            r = rng.randrange(30, 120)
            cx, cy = rng.randrange(SIZE), rng.randrange(SIZE)
            draw.rounded_rectangle((cx - r, cy - r // 2, cx + r, cy + r // 2), radius=r // 3,
                                   outline=_rgb(rng), width=rng.randrange(3, 12))


def avatar(rng: random.Random, kind: str) -> bytes:
    """One avatar of a kind: "mark" carries the city's mark, every other kind does not."""
    image = _busy(rng)
    if kind == "plain":
        _plain(rng, image)
    else:
        _stamp(rng, image, _mark_image(rng, kind, int(SIZE * rng.uniform(0.35, 0.9))))
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=rng.randrange(25, 71))
    return out.getvalue()


def avatar_set(seed: int, count: int) -> list[tuple[bytes, str]]:
    """`count` avatars with their kind, half of them the city's mark, the rest look-alikes
    and plain avatars in equal shares; reproducible from `seed`."""
    rng = random.Random(seed)
    return [(avatar(rng, kind), kind) for kind in kinds_in_turn(KINDS, count)]
