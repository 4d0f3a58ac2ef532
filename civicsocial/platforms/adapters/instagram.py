"""Instagram professional accounts through the Graph API (graph.py), with the access token of
the Facebook Page the account is linked to (Instagram API with Facebook Login).

Reading: the account's media are listed completely (a media gone from the list becomes a
removal), with each caption (edits come back as new text) and image; the comments of media
posted in the last THREAD_DAYS days, and their replies, are listed completely too.
Moderation (P22): hide and unhide a comment, delete one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from civicsocial.platforms.adapters.base import (
    Capability,
    MediaFile,
    NotSupported,
    PlatformError,
    Published,
    ReadResult,
)
from civicsocial.platforms.adapters.graph import GraphClient, graph_iso
from civicsocial.platforms.adapters.snapshots import Profile, image_entry, now_iso, profile_line
from civicsocial.platforms.retry import RetryPolicy

THREAD_DAYS = 14
MEDIA_FIELDS = "id,caption,media_type,media_url,thumbnail_url,permalink,timestamp"
COMMENT_FIELDS = "id,text,username,from,timestamp,hidden,parent_id"
USER_FIELDS = "id,username,name,biography,website,profile_picture_url"


class InstagramAdapter:
    platform = "instagram"
    capabilities = frozenset(
        {Capability.READ, Capability.PROFILE, Capability.HIDE, Capability.UNHIDE,
         Capability.DELETE_THIRD_PARTY}
    )

    def __init__(
        self,
        base_url: str,
        handle: str,
        token: str,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.handle = handle
        self.graph = GraphClient(base_url, token, timeout, retry, sleep)
        self._user = ""

    @property
    def user(self) -> str:
        """The Instagram account's id, from the Page it is linked to."""
        if not self._user:
            page = self.graph.call("GET", "me", {"fields": "instagram_business_account"})
            linked = page.get("instagram_business_account") or {}
            if not linked.get("id"):
                raise PlatformError("the token's Facebook Page has no linked Instagram professional account")
            self._user = str(linked["id"])
        return self._user

    def read_since(self, cursor: str) -> ReadResult:
        started = datetime.now(UTC)
        recent = started - timedelta(days=THREAD_DAYS)
        media = list(self.graph.pages(f"{self.user}/media", {"fields": MEDIA_FIELDS}))
        captures = [self._media_line(item) for item in media]
        scopes = [f"instagram:{self.user}/media/"]
        for item in media:
            if datetime.fromisoformat(graph_iso(item["timestamp"])) < recent:
                continue
            for comment in self.graph.pages(f"{item['id']}/comments", {"fields": COMMENT_FIELDS}):
                captures.append(self._comment_line(item["id"], comment))
                replies = self.graph.pages(f"{comment['id']}/replies", {"fields": COMMENT_FIELDS})
                captures += [self._comment_line(item["id"], reply) for reply in replies]
            scopes.append(f"instagram:{item['id']}/comments/")
        return ReadResult(
            captures,
            json.dumps({"read_at": started.isoformat()}),
            scopes,
            credentials_expire_at=self.graph.token_expires_at(),
            platform_user_id=self.user,
        )

    def _media_line(self, item: dict[str, Any]) -> dict[str, Any]:
        image = item.get("media_url") if item.get("media_type") != "VIDEO" else item.get("thumbnail_url")
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": f"instagram:{self.user}/media/{item['id']}",
            "kind": "post",
            "author": self.handle,
            "text": item.get("caption", ""),
            "created_at": graph_iso(item["timestamp"]),
            "captured_at": now_iso(),
            "url": item.get("permalink", ""),
            "media": [image_entry(image)] if image else [],
            "raw": item,
        }

    def _comment_line(self, media_id: str, comment: dict[str, Any]) -> dict[str, Any]:
        author = (comment.get("from") or {}).get("username") or comment.get("username", "")
        mine = (comment.get("from") or {}).get("id") == self.user
        parent = comment.get("parent_id")
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": f"instagram:{media_id}/comments/{comment['id']}",
            "kind": "reply" if mine else "comment",
            "author": self.handle if mine else f"@{author}",
            "text": comment.get("text", ""),
            "created_at": graph_iso(comment["timestamp"]),
            "captured_at": now_iso(),
            "parent_id": f"instagram:{media_id}/comments/{parent}"
            if parent
            else f"instagram:{self.user}/media/{media_id}",
            "raw": comment,
        }

    def read_profile(self) -> dict[str, Any]:
        user = self.graph.call("GET", self.user, {"fields": USER_FIELDS})
        return profile_line(
            self.platform,
            self.handle,
            Profile(
                f"instagram:{self.user}#profile",
                f"https://www.instagram.com/{user.get('username', '')}/",
                user.get("name", "") or user.get("username", ""),
                user.get("biography", ""),
                [user["website"]] if user.get("website") else [],
                False,
                user.get("profile_picture_url", ""),
            ),
            {"user": user},
            self.graph.timeout,
        )

    # Acting

    def publish(
        self, text: str, idempotency_key: str, reply_to: str = "", media: Sequence[MediaFile] = ()
    ) -> Published:
        raise NotSupported("posting to Instagram goes through the city's scheduling vendor (P12)")

    def hide(self, item_id: str) -> None:
        self.graph.moderate("Instagram", item_id, "POST", {"hide": "true"})

    def unhide(self, item_id: str) -> None:
        self.graph.moderate("Instagram", item_id, "POST", {"hide": "false"})

    def delete(self, item_id: str) -> None:
        self.graph.moderate("Instagram", item_id, "DELETE", {})
