"""Does an avatar contain the city's logo (P8)? Keypoint matching with OpenCV: SIFT
features of the reference logo are matched in the avatar (Lowe's ratio test), and the
matches must agree on one placement (a similarity transform found by RANSAC). The count
of agreeing matches is the score. SIFT does not care about scale or position; a few cut
off at an edge leave the rest; features are taken from brightness, in both polarities
(dark ink on light, light on dark), so a recoloured logo still matches.

The reference logo is a configurable image (`CIVICSOCIAL_BRAND_LOGO`); without one, the
demo city's own mark is drawn (`draw_reference_logo`). `LOGO_THRESHOLD` was chosen on a
generated set of avatars and is checked on another (`policy/tests/test_logo_match.py`).
Template matching of edge maps was tried first and was right on 60-90% only: words and
frames in other avatars correlate too well with the logo's strokes.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, ImageOps

AVATAR_SIZE = 384  # avatars are compared at this size
LOGO_SIZE = 256
RATIO = 0.8  # Lowe's ratio test
LOGO_THRESHOLD = 8  # matches agreeing on one placement


def draw_reference_logo(size: int = LOGO_SIZE) -> Image.Image:
    """The demo city's mark: 'NYC' in thick rounded (bubble) letters in a rounded frame."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size * 0.42)
    draw.text((size / 2, size / 2), "NYC", font=font, fill="black", anchor="mm",
              stroke_width=max(2, size // 28), stroke_fill="black")
    draw.rounded_rectangle((size * 0.04, size * 0.2, size * 0.96, size * 0.8),
                           radius=size // 8, outline="black", width=max(2, size // 40))
    return image


@lru_cache(maxsize=4)
def _features(path: str) -> list[tuple[Any, Any]]:
    """Keypoints and descriptors of the reference logo, as drawn and inverted."""
    logo = Image.open(path).convert("RGB") if path else draw_reference_logo()
    gray = logo.convert("L").resize((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)
    sift = cv2.SIFT.create()
    return [sift.detectAndCompute(np.asarray(g), None) for g in (gray, ImageOps.invert(gray))]


def logo_score(avatar: bytes) -> int:
    """How many logo features are found in the avatar in one consistent placement.
    Unreadable image data scores 0."""
    try:
        picture = Image.open(io.BytesIO(avatar))
        picture.load()
        gray = picture.convert("L").resize((AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        return 0
    keypoints, descriptors = cv2.SIFT.create().detectAndCompute(np.asarray(gray), None)
    if descriptors is None or len(keypoints) < 4:
        return 0
    matcher = cv2.BFMatcher()
    best = 0
    for logo_keypoints, logo_descriptors in _features(getattr(settings, "BRAND_LOGO", "")):
        if logo_descriptors is None:
            continue
        pairs = matcher.knnMatch(logo_descriptors, descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        if len(good) < 4:
            continue
        cv2.setRNGSeed(0)  # RANSAC samples at random: the same avatar always scores the same
        source = np.array([logo_keypoints[m.queryIdx].pt for m in good], dtype=np.float32)
        target = np.array([keypoints[m.trainIdx].pt for m in good], dtype=np.float32)
        _, inliers = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC,
                                                 ransacReprojThreshold=5)
        if inliers is not None:
            best = max(best, int(inliers.sum()))
    return best


def contains_logo(avatar: bytes) -> bool:
    return logo_score(avatar) >= LOGO_THRESHOLD
