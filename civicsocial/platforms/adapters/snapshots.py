"""What the adapters of Facebook, Instagram, X and YouTube build alike: a profile snapshot as
a capture line, and an image fetched into a media entry (their own SDKs and hosts differ;
these lines do not)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from civicsocial.platforms.adapters.base import profile_text

MAX_IMAGE = 20 * 1024 * 1024
EPOCH = "1970-01-01T00:00:00+00:00"  # a Page or channel whose creation time the API does not give


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def image_entry(url: str, timeout: float = 10.0) -> dict[str, Any]:
    """A media entry with the image's bytes: one try, as a missing picture must not cost the
    capture (the address alone is kept then, as for one over MAX_IMAGE)."""
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
    except requests.RequestException:
        return {"url": url, "content_type": ""}
    kind = response.headers.get("Content-Type", "").split(";")[0]
    if len(response.content) > MAX_IMAGE:
        return {"url": url, "content_type": kind}
    return {"url": url, "content_type": kind, "data": base64.b64encode(response.content).decode()}


@dataclass
class Profile:
    """The profile as the public sees it (the branding audit, P8, judges these fields)."""

    item_id: str
    url: str
    name: str
    bio: str
    links: list[str] = field(default_factory=list)
    verified: bool = False
    picture: str = ""  # its address, fetched into the snapshot
    created_at: str = EPOCH


def profile_line(
    platform: str, handle: str, profile: Profile, raw: dict[str, Any], timeout: float = 10.0
) -> dict[str, Any]:
    """The profile snapshot's capture line, with the platform's payload under `raw`."""
    return {
        "platform": platform,
        "account": handle,
        "item_id": profile.item_id,
        "kind": "profile",
        "author": handle,
        "text": profile_text(profile.name, profile.bio, profile.links, profile.verified),
        "created_at": profile.created_at,
        "captured_at": now_iso(),
        "url": profile.url,
        "media": [image_entry(profile.picture, timeout)] if profile.picture else [],
        "raw": {
            **raw,
            "profile": {
                "name": profile.name,
                "bio": profile.bio,
                "links": profile.links,
                "verified": profile.verified,
            },
        },
    }
