"""Does an avatar show the city's logo (P8)? Three answers: match, no match, unsure.

1. Placement. SIFT features of the reference logo (`logo_reference.py`, taken from it as
   drawn and as a small, soft avatar shows it) are matched in the avatar (Lowe's ratio
   test) and must agree on one placement: a similarity transform (shift, scale, tilt)
   found by RANSAC. SIFT does not care about scale, position or tilt; features are taken
   in both polarities, so a recoloured or inverted logo is found too. The avatar is
   looked at as brightness first, then as one mask per dominant colour (k-means): a mark
   inked in one colour on colour noise of the same brightness is invisible in brightness
   alone. The first look that gives a match ends the search.
2. Refinement. A placement found from a handful of features is off by a pixel or two,
   the width of a thin stroke; when the parts do not all agree at once but most show
   ink, the placement is refined by ECC alignment of the avatar's ink-likeness on the
   reference's ink.
3. Reading. The avatar is warped back onto the reference. A pixel is ink when its colour
   is near the ink's (colour, not brightness: a busy background of the same brightness is
   not ink); how near is learnt from the spread of the mark's own ink (JPEG, shading), so
   a background a little off the ink's colour is not ink. For each part: the share of its
   core in the ink's colour and the share of its band that is not (`PartReading`). Also
   the largest blob of the whole core that is not ink, and how open each pinch is.
   The mark is read as the avatar's resolution can show it (`_as_seen`): a mark drawn
   with fewer of the avatar's pixels than the reference has shows its thin lines faint
   and its narrow gaps half filled, more so where ink and ground differ in hue alone
   (JPEG and WebP keep colour at half resolution). A thin line is read against its own
   surroundings with an avatar pixel of slack; a gap is judged only where it could show
   open, against how open it could show.
4. Verdict. The score is the second-lowest part score (the smaller of a part's two
   shares). A match needs MATCH_AT, the lowest part at EVERY_PART_AT, no missing blob of
   MISSING_AT pixels and every pinch at least PINCH_OPEN_AT as open as it could show. A
   band inked below CLEAR_AT holds strokes the mark lacks (the bar that makes a C a G): no
   match. Otherwise a score of UNSURE_AT or more is unsure (a part under a sticker, a
   smudged mark, a gap filled by blur or by another letter) and a person decides
   (`branding.py` keeps the decision by the image's hash); less is no match.

The thresholds were chosen on avatars from `policy/tests/avatars.py`,
`avatars_second.py`, `avatars_third.py` and `avatars_fourth.py` (each became a tuning set
once its failures had been studied) and are measured on `policy/tests/avatars_fifth.py`,
written after they were fixed (`policy/tests/test_logo_match.py`; figures and limits in
the README). The reference logo is a configurable image (`CIVICSOCIAL_BRAND_LOGO`);
without one, the demo city's own mark is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from django.conf import settings
from PIL import Image

from civicsocial.policy.logo_outcome import LogoOutcome, LogoVerdict
from civicsocial.policy.logo_reference import LOGO_SIZE, REFINE_SIZE, Reference, disc, reference

# OpenCV's threads sum in any order, and a verdict near a threshold could differ with the
# number of cores; one thread gives every machine the same answer for the same avatar.
cv2.setNumThreads(1)

AVATAR_SIZE = 384  # avatars are compared at this size
PLACEMENT_SIZE = 192  # SIFT doubles its input first: at 192 it sees 384's detail, 4x faster
COLOUR_GROUPS = 6  # dominant colours of an avatar, each looked at on its own
MIN_GROUP = 0.02  # of the avatar: a smaller colour group cannot be a readable mark
RATIO = 0.8  # Lowe's ratio test
MIN_PLACEMENT = 4  # matches agreeing on one placement, at the least
MARK_SIDES = (0.12, 1.5)  # the mark's side, in avatar sides, that a placement may give
SAME_PLACEMENT = 3  # avatar pixels: placements closer than this are one
MIN_CONTRAST = 25  # RGB distance between ink and background; less is not readable
INK_NEAR = 0.5  # a pixel is ink when nearer the ink's colour than this share of the contrast
INK_NEAR_LEAST = 0.15  # ... or, for a flat ink, nearer than INK_SPREAD times its own spread
INK_SPREAD = 2.0
THIN_NEAR = 0.6  # a thin line's ink, washed out by JPEG, may be this far, a pixel aside
SMEAR = 1.0  # JPEG and resampling smear an avatar's pixels this far (Gaussian sigma, px)
ASIDE = 1.0  # avatar pixels a thin line's ink may lie aside (placement, JPEG)
CHROMA = 2  # JPEG and WebP keep colour at half the resolution of brightness
LUMA = np.array([0.299, 0.587, 0.114])  # brightness from RGB (ITU-R BT.601, as JPEG)
LINE_ALONG = 0.5  # ... or lies this far from its surroundings towards the ink
NEAR_AT = 0.5  # the median part's ink, for a placement to be refined
MATCH_AT = 0.70  # the second-lowest part, for a match
EVERY_PART_AT = 0.65  # and the lowest
MISSING_AT = 90  # pixels of the core, in one blob, not ink: a stroke the avatar lacks
PINCH_OPEN_AT = 0.5  # share of a pinch's possible opening that must not be ink
UNSURE_AT = 0.50
CLEAR_AT = 0.40  # a band more inked than this holds strokes the mark lacks: another mark


@dataclass(frozen=True)
class PartReading:
    """One part of the mark as the avatar shows it."""

    ink: float  # share of the part's core in the ink's colour
    clear: float  # share of the band around it and its hollow that is not

    @property
    def score(self) -> float:
        return min(self.ink, self.clear)


@dataclass(frozen=True)
class MarkReading:
    """The whole mark as the avatar shows it at one placement."""

    parts: list[PartReading]  # lowest score first
    missing: int  # pixels of the largest blob of the whole core that is not ink
    pinches: list[float]  # share of each pinch that is not ink, of the share that could be


def _placement(gray: np.ndarray, ref: Reference) -> tuple[int, np.ndarray | None]:
    """The best placement of the logo in the avatar: (agreeing matches, 2x3 transform)."""
    keypoints, descriptors = cv2.SIFT.create().detectAndCompute(gray, None)
    if descriptors is None or len(keypoints) < MIN_PLACEMENT:
        return 0, None
    # SIFT's threads hand keypoints back in any order; RANSAC's seeded draws need one order
    # for the same avatar to score the same every time.
    order = np.lexsort([[k.angle for k in keypoints], [k.size for k in keypoints],
                        [k.pt[1] for k in keypoints], [k.pt[0] for k in keypoints]])
    points, descriptors = np.array([keypoints[i].pt for i in order], np.float32), descriptors[order]
    matcher = cv2.BFMatcher()
    best: tuple[int, np.ndarray | None] = (0, None)
    for logo_points, logo_descriptors in ref.features:
        pairs = matcher.knnMatch(logo_descriptors, descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        if len(good) < 3:
            continue
        cv2.setRNGSeed(0)  # RANSAC samples at random: the same avatar always scores the same
        source = logo_points[[m.queryIdx for m in good]]
        target = points[[m.trainIdx for m in good]]
        transform, inliers = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC,
                                                         ransacReprojThreshold=5)
        if transform is not None and inliers is not None and int(inliers.sum()) > best[0]:
            best = (int(inliers.sum()), transform)
    return best


def _inside(colour: np.ndarray, transform: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Which pixels of the reference, at `size`, fall inside the avatar (a mark may be cut
    off at an edge): 255 inside, 0 outside."""
    return cv2.warpAffine(np.full(colour.shape[:2], 255, np.uint8), transform, size,
                          flags=cv2.WARP_INVERSE_MAP | cv2.INTER_NEAREST)


def _ink_and_ground(warped: np.ndarray, cores: np.ndarray,
                    bands: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The ink's colour (median over the cores), the ground's (over the bands) and the
    distance between them, on the avatar warped onto the reference."""
    ink, ground = np.median(warped[cores], axis=0), np.median(warped[bands], axis=0)
    return ink, ground, float(np.linalg.norm(ink - ground))


def _refined(colour: np.ndarray, transform: np.ndarray, ref: Reference) -> np.ndarray:
    """The placement refined to the pixel (ECC alignment of the avatar's ink-likeness on the
    reference's ink). Unchanged when the refinement does not settle or runs off to a size
    no avatar shows the mark at."""
    halve = np.diag([LOGO_SIZE / REFINE_SIZE, LOGO_SIZE / REFINE_SIZE, 1.0])
    coarse = np.vstack([transform, [0, 0, 1]]) @ halve  # from the refining size to the avatar
    size, back = (REFINE_SIZE, REFINE_SIZE), cv2.WARP_INVERSE_MAP
    warped = cv2.warpAffine(colour, coarse[:2], size, flags=back | cv2.INTER_AREA)
    inside = _inside(colour, coarse[:2], size)
    ink, _, contrast = _ink_and_ground(warped, ref.refine_cores, ref.refine_bands)
    if contrast < MIN_CONTRAST:
        return transform
    inkish = np.clip(1 - np.linalg.norm(warped - ink, axis=2) / contrast, 0, 1).astype(np.float32)
    start = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4)
    try:
        _, correction = cv2.findTransformECC(ref.soft_ink, inkish, start, cv2.MOTION_AFFINE,
                                             criteria, inside, 3)
    except cv2.error:
        return transform
    whole = (coarse @ np.vstack([correction, [0, 0, 1]]) @ np.linalg.inv(halve))[:2]
    return whole.astype(np.float32) if _plausible(whole) else transform


def _largest_blob(mask: np.ndarray, radius: int) -> int:
    """Pixels of the largest blob of the mask once opened by a disc (slivers at the edges
    of strokes, from JPEG or a pixel of misplacement, go)."""
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, disc(radius))
    count, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


def _as_seen(ref: Reference, detail: float) -> np.ndarray:
    """How much ink each pixel of the reference shows, 0 to 1, when the mark is drawn with
    `detail` of the avatar's own pixels per reference pixel: below one, thin lines fade
    and narrow gaps fill, and nothing can ask the avatar to show them sharper."""
    if detail >= 1:
        return ref.ink
    side = max(8, round(LOGO_SIZE * detail))
    small = cv2.GaussianBlur(cv2.resize(ref.ink, (side, side), interpolation=cv2.INTER_AREA),
                             (0, 0), SMEAR)
    return cv2.resize(small, (LOGO_SIZE, LOGO_SIZE), interpolation=cv2.INTER_LINEAR)


def _colour_detail(ink: np.ndarray, ground: np.ndarray) -> float:
    """The share of the avatar's resolution that tells ink from ground: all of it where they
    differ in brightness, 1/CHROMA where they differ in hue alone (JPEG and WebP keep
    colour at half the resolution of brightness)."""
    difference = ink - ground
    brightness = abs(float(LUMA @ difference)) * np.sqrt(3) / float(np.linalg.norm(difference))
    return 1 / CHROMA + (1 - 1 / CHROMA) * min(1.0, brightness)


def _line_ink(warped: np.ndarray, ink: np.ndarray, core: np.ndarray, band: np.ndarray,
              washed: np.ndarray, seen: np.ndarray, aside: np.ndarray) -> float:
    """The share of a thin line's core that shows ink. JPEG keeps a line's brightness but
    smears its colour into the background's, so a pixel also counts when it lies nearer
    the ink than the line's own surroundings along the way from one to the other (as far
    as the avatar's resolution lets it: `seen`), a pixel of the avatar aside."""
    around = warped[band]
    away = np.linalg.norm(around - ink, axis=1)
    ground = np.median(around[away >= np.median(away)], axis=0)  # a halo round the line is not it
    axis = ink - ground
    length = float(axis @ axis)
    if length < MIN_CONTRAST ** 2:
        return float(washed[core].mean())
    along = (warped - ground) @ axis / length
    shown = cv2.dilate((along > LINE_ALONG * seen).astype(np.uint8), aside) > 0
    return float((washed | shown)[core].mean())


def _reading(colour: np.ndarray, transform: np.ndarray, ref: Reference,
             sharpness: float) -> MarkReading | None:
    """The mark as the avatar shows it at this placement (None when it cannot be read:
    off the avatar, or ink and background alike)."""
    size, back = (LOGO_SIZE, LOGO_SIZE), cv2.WARP_INVERSE_MAP
    warped = cv2.warpAffine(colour, transform, size, flags=back | cv2.INTER_LINEAR)
    inside = _inside(colour, transform, size) > 0
    cores, bands = ref.cores & inside, ref.bands & inside
    if cores.sum() < 50 or bands.sum() < 50:
        return None
    ink, ground, contrast = _ink_and_ground(warped, cores, bands)
    if contrast < MIN_CONTRAST:
        return None
    away = np.linalg.norm(warped - ink, axis=2) / contrast
    near = min(INK_NEAR, max(INK_NEAR_LEAST, INK_SPREAD * float(np.percentile(away[cores], 80))))
    inklike = away < near
    detail = float(np.hypot(*transform[:, 0])) * sharpness
    seen = _as_seen(ref, detail * _colour_detail(ink, ground))
    aside = disc(max(1, round(ASIDE / detail)))
    washed = cv2.dilate((away < max(near, THIN_NEAR)).astype(np.uint8), aside) > 0
    parts = []
    for part in ref.parts:
        box = part.box
        core, band = part.core[box] & inside[box], part.band[box] & inside[box]
        if core.sum() < max(10, 0.8 * part.core[box].sum()) or band.sum() < 10:
            continue  # mostly off the edge of the avatar: neither for nor against
        if part.thin:
            shown = _line_ink(warped[box], ink, core, band, washed[box], seen[box], aside)
        else:
            shown = float(inklike[box][core].mean())
        parts.append(PartReading(shown, float((~inklike[box][band]).mean())))
    in_colour, open_, shown_here = seen.ravel(), ~inklike.ravel(), inside.ravel()
    pinches = []
    for pinch in ref.pinches:
        expected = float((in_colour[pinch] < 0.5).mean())  # open, as far as the avatar can show
        within = shown_here[pinch]
        if within.mean() >= 0.8 and expected >= 0.5:
            pinches.append(min(1.0, float(open_[pinch[within]].mean()) / expected))
    return MarkReading(sorted(parts, key=lambda part: part.score),
                       _largest_blob(~inklike & ref.whole_core & inside, 3), pinches)


def _judge(reading: MarkReading | None, placement: int) -> LogoVerdict:
    """The verdict from the mark read at one placement (see the module's docstring)."""
    if reading is None or len(reading.parts) < 2:
        return LogoVerdict(LogoOutcome.NO_MATCH, 0.0, placement)
    parts = reading.parts
    score, lowest = round(parts[1].score, 3), parts[0].score
    whole = reading.missing < MISSING_AT and min(reading.pinches, default=1) >= PINCH_OPEN_AT
    if score >= MATCH_AT and lowest >= EVERY_PART_AT and whole:
        outcome = LogoOutcome.MATCH
    elif score >= UNSURE_AT and min(part.clear for part in parts) >= CLEAR_AT:
        outcome = LogoOutcome.UNSURE
    else:
        outcome = LogoOutcome.NO_MATCH
    return LogoVerdict(outcome, score, placement)


def _maps(colour: np.ndarray) -> Iterator[np.ndarray]:
    """Grey images of the avatar to look for the mark in, at PLACEMENT_SIZE: its brightness
    first, then one mask per dominant colour. The mark is inked in one colour, and a busy
    background of the same brightness (colour noise) hides it in the grey image alone."""
    small = cv2.resize(colour, (PLACEMENT_SIZE, PLACEMENT_SIZE), interpolation=cv2.INTER_AREA)
    yield cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    samples = cv2.resize(small, (64, 64), interpolation=cv2.INTER_AREA).reshape(-1, 3)
    cv2.setRNGSeed(0)  # k-means starts at random: the same avatar always scores the same
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    labels = np.zeros((len(samples), 1), np.int32)  # not read: the centres start k-means++
    _, _, centres = cv2.kmeans(samples.astype(np.float32), COLOUR_GROUPS, labels, criteria, 2,
                               cv2.KMEANS_PP_CENTERS)
    pixels = small.astype(np.float32)
    nearest = np.stack([np.linalg.norm(pixels - centre, axis=2) for centre in centres]).argmin(0)
    for group in range(COLOUR_GROUPS):
        mask = nearest == group
        if mask.mean() >= MIN_GROUP:
            yield cv2.GaussianBlur((mask * 255).astype(np.uint8), (3, 3), 0)


def _plausible(transform: np.ndarray) -> bool:
    """Whether a placement draws the mark at a size an avatar can show it at."""
    sides = LOGO_SIZE * np.hypot(transform[0, :2], transform[1, :2]) / AVATAR_SIZE  # width, height
    return bool(np.all((MARK_SIDES[0] <= sides) & (sides <= MARK_SIDES[1])))


def _same(one: np.ndarray, other: np.ndarray) -> bool:
    """Whether two placements put every corner of the mark within SAME_PLACEMENT pixels
    (then the second is not read again)."""
    corners = np.array([[0, 0, 1], [LOGO_SIZE, 0, 1], [0, LOGO_SIZE, 1], [LOGO_SIZE, LOGO_SIZE, 1]])
    return bool(np.abs(corners @ one.T - corners @ other.T).max() < SAME_PLACEMENT)


def _near(reading: MarkReading | None) -> bool:
    """Whether a placement is worth refining: most of the mark's parts are inked already
    (a placement a pixel or two off); a placement on something else is not."""
    return reading is not None and float(np.median([part.ink for part in reading.parts])) >= NEAR_AT


_RANK = {LogoOutcome.NO_MATCH: 0, LogoOutcome.UNSURE: 1, LogoOutcome.MATCH: 2}


def _better(one: LogoVerdict, other: LogoVerdict) -> LogoVerdict:
    """The surer of two verdicts: a match over unsure over no match, then the higher score."""
    return max(one, other, key=lambda verdict: (_RANK[verdict.outcome], verdict.score))


def logo_verdict(avatar: bytes) -> LogoVerdict:
    """Whether the avatar shows the configured logo, and how sure (unreadable image data
    is no match). Each map of `_maps` is tried until one gives a match; else the best."""
    try:
        picture = Image.open(io.BytesIO(avatar))
        picture.load()
        colour = cv2.resize(np.asarray(picture.convert("RGB")), (AVATAR_SIZE, AVATAR_SIZE),
                            interpolation=cv2.INTER_AREA if picture.width > AVATAR_SIZE
                            else cv2.INTER_CUBIC)
    except (OSError, ValueError, Image.DecompressionBombError):
        return LogoVerdict(LogoOutcome.NO_MATCH, 0.0, 0)
    ref = reference(getattr(settings, "BRAND_LOGO", ""))
    sharpness = min(1.0, float(np.sqrt(picture.width * picture.height)) / AVATAR_SIZE)
    best = LogoVerdict(LogoOutcome.NO_MATCH, 0.0, 0)
    pixels = colour.astype(np.float32)
    read: list[np.ndarray] = []
    for gray in _maps(colour):
        placement, transform = _placement(gray, ref)
        if transform is None or placement < MIN_PLACEMENT:
            continue
        transform = transform * (AVATAR_SIZE / PLACEMENT_SIZE)  # onto the avatar's scale
        if not _plausible(transform) or any(_same(transform, seen) for seen in read):
            continue
        read.append(transform)
        reading = _reading(pixels, transform, ref, sharpness)
        verdict = _judge(reading, placement)
        if verdict.outcome != LogoOutcome.MATCH and _near(reading):
            refined = _judge(_reading(pixels, _refined(pixels, transform, ref), ref, sharpness),
                             placement)
            verdict = _better(verdict, refined)
        best = _better(best, verdict)
        if best.outcome == LogoOutcome.MATCH:
            break
    return best
