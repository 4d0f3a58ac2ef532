"""A third avatar generator (issue 14), written after the logo match's thresholds were fixed
on avatars.py and avatars_second.py, and measured once: its figures are the ones
`test_logo_match.py` asserts and the README reports.

It differs from both on purpose: avatars of 200, 256 or 400 pixels; backgrounds like
photographs (soft blobs with grain), triangle tiles, walls of small words, and rings; the
city's mark at 30-85% of the avatar, tilted up to 12 degrees, up to a tenth cut off at an
edge, inked in a colour that shades from top to bottom (or light on a dark plate), with a
soft drop shadow at times, inside a round plate at times; saved as WebP, JPEG or PNG,
sometimes blurred or scaled down. Look-alikes: other letters in the same frame and
lettering (a letter changed, one missing, two added), the same in the fonts that ship
with reportlab, the letters without the frame, the frame alone or around other content;
and plain avatars."""

from __future__ import annotations

import io
import random
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.tests.avatars import kinds_in_turn

KINDS = ["mark", "letters", "fonts", "unframed", "frame", "plain"]
OTHER_LETTERS = ["NYO", "HYC", "NXC", "NY", "NYCHA"]
FONTS = Path(reportlab.__file__).parent / "fonts"
FONT_FILES = ["VeraBd.ttf", "_ab_____.pfb", "_eb_____.pfb", "cob_____.pfb"]
WORDS = ["NEW YORK", "BOROUGH", "TRANSIT", "LIBRARY", "PARKS", "NYPD", "HOUSING", "EVENTS"]


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.randrange(256), rng.randrange(256), rng.randrange(256)


def _luma(colour: tuple[int, ...]) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _background(rng: random.Random, size: int) -> Image.Image:
    style = rng.choice(["photo", "tiles", "words", "rings"])
    image = Image.new("RGB", (size, size), _colour(rng))
    draw = ImageDraw.Draw(image)
    if style == "photo":  # soft shapes, then grain
        for _ in range(rng.randrange(4, 9)):
            x, y, r = rng.randrange(size), rng.randrange(size), rng.randrange(size // 6, size // 2)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_colour(rng))
        image = image.filter(ImageFilter.GaussianBlur(size / 20))
        grain = Image.effect_noise((size, size), rng.uniform(10, 30)).convert("RGB")
        return Image.blend(image, grain, 0.15)
    if style == "tiles":
        step, colours = rng.randrange(size // 10, size // 4), [_colour(rng) for _ in range(3)]
        for i in range(-1, size // step + 2):
            for j in range(size // step + 2):
                x, y = i * step + (j % 2) * step // 2, j * step
                draw.polygon([(x, y), (x + step, y), (x + step // 2, y + step)],
                             fill=colours[(i + j) % 3])
    elif style == "words":
        font = ImageFont.truetype(str(FONTS / "Vera.ttf"), rng.randrange(size // 18, size // 9))
        for y in range(0, size, font.size + 2):
            draw.text((rng.randrange(-40, 0), y), "  ".join(rng.sample(WORDS, 4)),
                      font=font, fill=_colour(rng))
    else:
        centre, colours = (rng.randrange(size), rng.randrange(size)), [_colour(rng), _colour(rng)]
        for n, r in enumerate(range(2 * size, 0, -rng.randrange(size // 20, size // 8))):
            draw.ellipse((centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r),
                         fill=colours[n % 2])
    return image


def _artwork(rng: random.Random, kind: str, side: int) -> Image.Image:
    """The mark or a look-alike, black on white, `side` pixels square."""
    if kind == "mark":
        return draw_reference_logo(side)
    if kind == "letters":
        letters = rng.choice(OTHER_LETTERS)
        font = ImageFont.load_default(size=side * (0.42 if len(letters) <= 3 else 0.3))
        return draw_reference_logo(side, letters=letters, font=font)
    if kind == "fonts":
        font = ImageFont.truetype(str(FONTS / rng.choice(FONT_FILES)), int(side * 0.34))
        return draw_reference_logo(side, letters=rng.choice(OTHER_LETTERS[:4]), font=font)
    if kind == "unframed":
        return draw_reference_logo(side, frame=False)
    frame = draw_reference_logo(side, letters="")
    if rng.random() < 0.5:  # the frame around something else
        font = ImageFont.truetype(str(FONTS / rng.choice(FONT_FILES)), int(side * 0.3))
        ImageDraw.Draw(frame).text((side / 2, side / 2), rng.choice(["311", "GOV", "INFO"]),
                                   font=font, fill="black", anchor="mm")
    return frame


def _ink_far_from(rng: random.Random, ground: float) -> tuple[int, int, int]:
    while True:
        colour = _colour(rng)
        if abs(_luma(colour) - ground) >= 90:
            return colour


def _put(rng: random.Random, image: Image.Image, artwork: Image.Image) -> None:
    """Ink the artwork (black = ink) onto the image: tilted, placed, shaded, shadowed."""
    size, side = image.width, artwork.width
    angle = rng.uniform(-12, 12)
    mask = ImageOps.invert(artwork.convert("L")).rotate(angle, expand=True,
                                                         resample=Image.Resampling.BICUBIC)
    cut = side // 10
    low, high = -cut, size - mask.width + cut
    x = rng.randrange(low, high + 1) if high >= low else (size - mask.width) // 2
    y = rng.randrange(low, high + 1) if high >= low else (size - mask.width) // 2
    box = (max(x, 0), max(y, 0), min(x + mask.width, size), min(y + mask.width, size))
    if rng.random() < 0.35:  # on a round plate of its own
        plate = _colour(rng)
        r = mask.width * 0.55
        cx, cy = x + mask.width / 2, y + mask.width / 2
        ImageDraw.Draw(image).ellipse((cx - r, cy - r, cx + r, cy + r), fill=plate)
        ground = _luma(plate)
    else:
        ground = float(ImageOps.grayscale(image.crop(box)).resize((1, 1), Image.Resampling.BOX)
                       .getpixel((0, 0)))  # type: ignore[arg-type]
    top = _ink_far_from(rng, ground)
    bottom = tuple(max(0, min(255, v + rng.randrange(-30, 31))) for v in top)
    shade = Image.linear_gradient("L").resize(mask.size)
    ink = Image.composite(Image.new("RGB", mask.size, bottom), Image.new("RGB", mask.size, top), shade)
    if rng.random() < 0.25:  # a soft drop shadow
        shadow = mask.filter(ImageFilter.GaussianBlur(3)).point(lambda v: int(v * 0.3))
        offset = rng.randrange(2, 6)
        image.paste(Image.new("RGB", mask.size, "black"), (x + offset, y + offset), shadow)
    image.paste(ink, (x, y), mask)


def _plain(rng: random.Random, image: Image.Image) -> None:
    size = image.width
    draw = ImageDraw.Draw(image)
    if rng.random() < 0.5:  # a face
        r = size // 3
        draw.ellipse((size / 2 - r, size / 2 - r, size / 2 + r, size / 2 + r), fill=_colour(rng))
        for dx in (-r // 3, r // 3):
            draw.ellipse((size / 2 + dx - 8, size / 2 - r // 4 - 8, size / 2 + dx + 8,
                          size / 2 - r // 4 + 8), fill="black")
        draw.arc((size / 2 - r / 2, size / 2 - r / 4, size / 2 + r / 2, size / 2 + r / 2), 20, 160,
                 fill="black", width=4)
    else:
        font = ImageFont.truetype(str(FONTS / rng.choice(FONT_FILES)), rng.randrange(size // 8, size // 4))
        draw.text((size / 2, size / 2), rng.choice(WORDS), font=font, fill=_colour(rng), anchor="mm")


def _saved(rng: random.Random, image: Image.Image) -> bytes:
    if rng.random() < 0.25:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.2)))
    if rng.random() < 0.2:  # scaled down for the platform
        image = image.resize((int(image.width * 0.6),) * 2, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    form = rng.random()
    if form < 0.4:
        image.save(out, "WEBP", quality=rng.randrange(35, 81))
    elif form < 0.9:
        image.save(out, "JPEG", quality=rng.randrange(30, 76))
    else:
        image.save(out, "PNG")
    return out.getvalue()


def avatar(rng: random.Random, kind: str) -> bytes:
    """One avatar of a kind (KINDS): "mark" carries the city's mark, every other kind not."""
    size = rng.choice([200, 256, 400])
    image = _background(rng, size)
    if kind == "plain":
        _plain(rng, image)
    else:
        _put(rng, image, _artwork(rng, kind, int(size * rng.uniform(0.3, 0.85))))
    return _saved(rng, image)


def avatar_set(seed: int, count: int) -> list[tuple[bytes, str]]:
    """`count` avatars with their kind, half of them the city's mark and the rest the other
    kinds in equal shares; reproducible from `seed`."""
    rng = random.Random(seed)
    return [(avatar(rng, kind), kind) for kind in kinds_in_turn(KINDS, count)]
