"""The reference logo as the logo match (`logo.py`, P8) reads it: its SIFT features, and the
parts every avatar must show. Made once per process and logo file.

- Parts: each connected shape of the mark's ink (each letter group, the frame) cut by a
  4 x 3 grid. A part has a core (its ink less CORE_INSET pixels at the edge, for blur and
  JPEG) and a band of background around it and in its hollow (at least GAP from any ink).
  A thin part (a frame's line) has almost no core, so its ink is read with some slack.
- The whole core: all of the ink less CORE_INSET, uncut by the grid, where a missing
  stroke shows as one blob (the diagonal of an N that an H lacks).
- Pinches: the narrow gaps where the ink nearly closes (a C's mouth, the notches of an N,
  letters close to the frame). A look-alike that closes one (an O for a C) differs from
  the mark only there, by less than a band's width.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

LOGO_SIZE = 256  # the reference is read at this size; every figure in pixels is at it
REFINE_SIZE = 128  # placements are refined on the mark at this size
GRID = (4, 3)  # columns and rows that cut the mark's shapes into parts
MIN_PART = 0.02  # of the mark's ink: smaller pieces are not parts
BAND = 8  # width of the band around a part that must not be ink
HOLLOW_RATIO = 4  # a shape whose hull is this many times its ink is hollow (a frame)
CORE_INSET = 2  # a part's core: its ink less this many pixels at the edge
THIN = 0.2  # a part whose core keeps less than this share of it eroded once more is thin
GAP = 3  # the band starts this many pixels away from any ink
PINCH = 5  # gaps the ink closes with a disc of this radius are pinches
MIN_PINCH = 15  # pixels: smaller pinches are edge noise
FEATURE_VIEWS = ((LOGO_SIZE, 0), (160, 1), (100, 1))  # sizes and blurs features are taken at


def draw_reference_logo(size: int = LOGO_SIZE, letters: str = "NYC", frame: bool = True,
                        font: ImageFont.FreeTypeFont | None = None) -> Image.Image:
    """The demo city's mark: 'NYC' in thick rounded (bubble) letters in a rounded frame.
    Other letters, no frame or another font draw the look-alikes the tests must refuse."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    lettering = font or ImageFont.load_default(size=size * 0.42)
    if letters:
        draw.text((size / 2, size / 2), letters, font=lettering, fill="black", anchor="mm",
                  stroke_width=max(2, size // 28), stroke_fill="black")
    if frame:
        draw.rounded_rectangle((size * 0.04, size * 0.2, size * 0.96, size * 0.8),
                               radius=size // 8, outline="black", width=max(2, size // 40))
    return image


def disc(radius: int) -> np.ndarray:
    """A round structuring element of the radius given."""
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _eroded(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.erode(mask.astype(np.uint8), disc(radius)).astype(bool)


def _dilated(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), disc(radius)).astype(bool)


def _hollows(shape: np.ndarray) -> np.ndarray:
    """The background a solid shape (a letter, a word) encloses or half-encloses: inside
    its convex hull, not ink. That is where a look-alike adds what the mark lacks (the bar
    that makes a C a G). Empty for a hollow shape such as a frame, whose hull holds
    everything else."""
    points = cv2.findNonZero(shape.astype(np.uint8))
    hull = np.zeros(shape.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
    if hull.sum() > HOLLOW_RATIO * shape.sum():
        return np.zeros_like(shape)
    return hull.astype(bool) & ~shape


@dataclass(frozen=True)
class Part:
    core: np.ndarray  # ink that must show the ink's colour
    band: np.ndarray  # background around it and in its hollow that must not
    thin: bool  # a line (the frame's) whose core is a pixel or two wide
    box: tuple[slice, slice]  # rows and columns that hold the part and its band


def _parts(ink: np.ndarray) -> list[Part]:
    """The mark's parts (see the module's docstring)."""
    count, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    ys, xs = np.nonzero(ink)
    left, right, top, bottom = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    columns, rows = GRID
    away = ~_dilated(ink, GAP)
    parts = []
    for shape in range(1, count):
        hollows = _hollows(labels == shape)
        for column in range(columns):
            for row in range(rows):
                cell = np.zeros_like(ink)
                cell[top + (bottom - top) * row // rows: top + (bottom - top) * (row + 1) // rows,
                     left + (right - left) * column // columns:
                     left + (right - left) * (column + 1) // columns] = True
                piece = cell & (labels == shape)
                if piece.sum() < MIN_PART * ink.sum():
                    continue
                core = _eroded(piece, CORE_INSET)
                band = (_dilated(piece, BAND) | (hollows & cell)) & away
                ys, xs = np.nonzero(band | core)
                box = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
                parts.append(Part(core, band, bool(_eroded(core, 2).sum() < THIN * core.sum()), box))
    return parts


def _pinches(ink: np.ndarray) -> list[np.ndarray]:
    """The narrow gaps of the mark (see the module's docstring), each as the flat indices
    of its pixels."""
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, disc(PINCH)).astype(bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (closed & ~_dilated(ink, 1)).astype(np.uint8), connectivity=8)
    return [np.flatnonzero(labels == n) for n in range(1, count)
            if stats[n, cv2.CC_STAT_AREA] >= MIN_PINCH]


def _features(gray: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """SIFT keypoints (as points at LOGO_SIZE) and descriptors of the logo as drawn and as a
    small, soft avatar shows it: a letter's corners and curves at 60 pixels, smeared by
    JPEG, are described differently from the sharp drawing, and SIFT's own scale space
    does not make up the difference."""
    sift = cv2.SIFT.create()
    points, descriptors = [], []
    for side, blur in FEATURE_VIEWS:
        view = np.asarray(gray.resize((side, side), Image.Resampling.LANCZOS))
        if blur:
            view = cv2.GaussianBlur(view, (0, 0), blur)
        keypoints, found = sift.detectAndCompute(view, None)
        if found is not None:
            points.append(np.array([k.pt for k in keypoints], np.float32) * (LOGO_SIZE / side))
            descriptors.append(found)
    return np.concatenate(points), np.concatenate(descriptors)


@dataclass(frozen=True)
class Reference:
    features: list[tuple[np.ndarray, np.ndarray]]  # points and descriptors: as drawn, inverted
    soft_ink: np.ndarray  # the ink at REFINE_SIZE, softened at its edges, to refine on
    refine_cores: np.ndarray  # `cores` and `bands` at REFINE_SIZE
    refine_bands: np.ndarray
    parts: list[Part]
    cores: np.ndarray  # all parts' cores together
    bands: np.ndarray  # all parts' bands together
    whole_core: np.ndarray  # the ink less CORE_INSET, uncut
    pinches: list[np.ndarray]  # flat indices of each pinch's pixels
    ink: np.ndarray  # the mark's ink, 0 or 1, as float32


@lru_cache(maxsize=4)
def reference(path: str) -> Reference:
    """The reference logo's features and parts (once per process and logo file; the demo
    city's own mark when no file is configured)."""
    logo = Image.open(path).convert("RGB") if path else draw_reference_logo()
    gray = logo.convert("L").resize((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)
    features = [_features(g) for g in (gray, ImageOps.invert(gray))]
    dark = np.asarray(gray) < 128
    ink = dark if dark.mean() <= 0.5 else ~dark  # the mark: the smaller of the two
    parts = _parts(ink)
    cores, bands = np.zeros_like(ink), np.zeros_like(ink)
    for part in parts:
        cores |= part.core
        bands |= part.band
    small, inked = (REFINE_SIZE, REFINE_SIZE), ink.astype(np.float32)
    soft = cv2.GaussianBlur(cv2.resize(inked, small, interpolation=cv2.INTER_AREA), (0, 0), 1)
    refine_cores, refine_bands = (
        cv2.resize(mask.astype(np.uint8), small, interpolation=cv2.INTER_NEAREST) > 0
        for mask in (cores, bands))
    return Reference(features, soft, refine_cores, refine_bands, parts, cores, bands,
                     _eroded(ink, CORE_INSET), _pinches(ink), inked)
