"""Each platform's limits on a post, counted the way the platform counts (issue 19).
Checked while composing (the live preview's counters) and again before sending.

Sources (read 2026-12-02):
- Bluesky: app.bsky.feed.post lexicon, `text` maxGraphemes 300; app.bsky.embed.images
  up to 4 images, each blob at most 1,000,000 bytes, alt text per image.
- Mastodon: the instance's `configuration.statuses.max_characters` (500 by default), a
  link counts 23 characters; up to 4 attachments, images up to 16 MB (instance default).
- X: weighted length at most 280 by the twitter-text library (CJK counts 2, every URL
  23); up to 4 images of at most 5 MB.
- Facebook Pages: 63,206 characters; Instagram: 2,200 characters, at least one image
  (JPEG), at most 10; both schedule at most 75 days ahead (Graph API scheduled_publish_time).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import regex

URL = re.compile(r"https?://\S+")
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def graphemes(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters), as Bluesky counts."""
    return len(regex.findall(r"\X", text))


def mastodon_length(text: str) -> int:
    """Characters, every link counting 23 (Mastodon's rule)."""
    return len(URL.sub("x" * 23, text))


def x_weighted_length(text: str) -> int:
    """X's weighted length (twitter-text): CJK and emoji count 2, a URL 23."""
    from twitter_text import parse_tweet  # half a second of regular expressions: loaded when counted

    return int(parse_tweet(text).weightedLength)


@dataclass(frozen=True)
class PlatformRules:
    label: str
    max_length: int
    count: Callable[[str], int]
    unit: str = "characters"
    max_media: int = 4
    max_media_bytes: int = 5_000_000
    media_types: frozenset[str] = IMAGE_TYPES
    needs_media: bool = False
    horizon: timedelta = timedelta(days=365)


RULES: dict[str, PlatformRules] = {
    "bluesky": PlatformRules("Bluesky", 300, graphemes, "graphemes", 4, 1_000_000),
    "mastodon": PlatformRules("Mastodon", 500, mastodon_length, "characters", 4, 16_000_000),
    "x": PlatformRules("X", 280, x_weighted_length, "weighted characters", 4, 5_000_000),
    "facebook": PlatformRules("Facebook", 63_206, len, "characters", 10, 10_000_000,
                              horizon=timedelta(days=75)),
    "instagram": PlatformRules("Instagram", 2_200, len, "characters", 10, 8_000_000,
                               frozenset({"image/jpeg"}), needs_media=True, horizon=timedelta(days=75)),
}
FALLBACK = PlatformRules("this platform", 500, len)


def rules_for(platform: str, max_length: int | None = None) -> PlatformRules:
    """The platform's rules; `max_length` overrides the length (a Mastodon instance's own)."""
    rules = RULES.get(platform, FALLBACK)
    if max_length:
        rules = PlatformRules(rules.label, max_length, rules.count, rules.unit, rules.max_media,
                              rules.max_media_bytes, rules.media_types, rules.needs_media, rules.horizon)
    return rules


@dataclass(frozen=True)
class MediaFacts:
    content_type: str
    size: int
    alt_text: str
    name: str = ""


@dataclass(frozen=True)
class Counter:
    """What the preview shows for one platform: the count, the limit, the problems."""

    platform: str
    label: str
    used: int
    limit: int
    unit: str
    problems: tuple[str, ...]


def full_text(text: str, link: str) -> str:
    """The text as posted: the link, when there is one, on a line of its own at the end."""
    return f"{text.rstrip()}\n{link}" if link and link not in text else text


def check_post(platform: str, text: str, link: str, media: list[MediaFacts],
               max_length: int | None = None) -> Counter:
    """The counter and the problems of this content on this platform."""
    rules = rules_for(platform, max_length)
    used = rules.count(full_text(text, link))
    problems = []
    if used > rules.max_length:
        problems.append(f"{rules.label}: {used} {rules.unit}, {used - rules.max_length} over the "
                        f"limit of {rules.max_length}.")
    if not text.strip() and not media:
        problems.append(f"{rules.label}: a post needs text or an image.")
    if rules.needs_media and not media:
        problems.append(f"{rules.label}: a post needs at least one image.")
    if len(media) > rules.max_media:
        problems.append(f"{rules.label}: at most {rules.max_media} images, not {len(media)}.")
    for n, item in enumerate(media, 1):
        name = item.name or f"image {n}"
        if item.content_type not in rules.media_types:
            problems.append(f"{rules.label}: {name} is {item.content_type}; it takes "
                            f"{', '.join(sorted(rules.media_types))}.")
        if item.size > rules.max_media_bytes:
            problems.append(f"{rules.label}: {name} is {item.size:,} bytes; the limit is "
                            f"{rules.max_media_bytes:,}.")
        if not item.alt_text.strip():
            problems.append(f"{name} needs alt text (a description for people who cannot see it).")
    return Counter(platform, rules.label, used, rules.max_length, rules.unit, tuple(problems))
