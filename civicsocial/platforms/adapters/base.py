"""The one small interface every platform adapter offers (DESIGN.md: platforms/).

An adapter speaks one platform's API for one account. It reads what is new since a
cursor, snapshots the profile, publishes and replies (idempotently), and hides or
deletes a third-party item where the platform allows it. What it reads comes back as
capture lines (records/capture.py), the archive's only way in, raw payload included.
Everything else (cursors, retries, archiving) is the capture service's job.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class Capability(enum.StrEnum):
    READ = "read"  # items since a cursor (polling)
    STREAM = "stream"  # items as they happen (a push connection)
    PROFILE = "profile"
    PUBLISH = "publish"
    REPLY = "reply"
    HIDE = "hide"  # hide a third-party reply from the account's threads
    UNHIDE = "unhide"  # show it again (counsel restores what was hidden)
    DELETE_OWN = "delete_own"
    DELETE_THIRD_PARTY = "delete_third_party"


class PlatformError(Exception):
    """A platform call failed. `retry_after` is set (seconds) when trying again may help."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotSupported(PlatformError):
    """The platform does not offer this (see the adapter's capabilities)."""


@dataclass
class ReadResult:
    """What a read found: capture lines, the cursor to read from next time, and the
    scopes it listed completely (item id prefixes): an archived item in a complete scope
    that was not listed has been removed from the platform."""

    captures: list[dict[str, Any]]
    cursor: str
    complete_scopes: list[str] = field(default_factory=list)
    # When the account's token stops working, where the platform says (the account page
    # warns ahead), and what a reader should know about this run (a monthly cap reached).
    credentials_expire_at: datetime | None = None
    platform_user_id: str = ""  # the account's own id there (a Page's id): webhooks name it
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MediaFile:
    """An image to publish with a post, with its alt text."""

    data: bytes = field(repr=False)
    content_type: str
    alt_text: str


@dataclass(frozen=True)
class Published:
    item_id: str
    url: str
    created: bool  # False: the idempotency key had already published it


def profile_text(name: str, bio: str, links: list[str], verified: bool) -> str:
    """A profile snapshot's text as the public sees it. Everything the branding audit
    (P8) judges is in it, so a change to any of it is archived as a new version (the
    archive compares text, not the raw payload's volatile counters)."""
    head = f"{name} (verified)" if verified else name
    return "\n".join(part for part in (head, bio, *links) if part)


class PlatformAdapter(Protocol):
    platform: str
    capabilities: frozenset[Capability]

    def read_since(self, cursor: str) -> ReadResult: ...

    def read_profile(self) -> dict[str, Any]: ...

    def publish(self, text: str, idempotency_key: str, reply_to: str = "",
                media: Sequence[MediaFile] = ()) -> Published: ...

    def hide(self, item_id: str) -> None: ...

    def unhide(self, item_id: str) -> None: ...

    def delete(self, item_id: str) -> None: ...
