"""Facebook Pages through the Graph API (graph.py), with the Page's access token.

Reading: the Page's posts are listed completely (a post gone from the list becomes a removal),
and the comments and replies of every post updated in the last THREAD_DAYS days (Graph
moves a post's `updated_time` when it is edited or commented on) or since the last run are
listed completely too (`filter=stream`: every level). Edits come back as new text. Images
are stored. Webhooks (platforms/webhooks.py) start a run as soon as a comment arrives; this
polling catches what a webhook missed.

Moderation (P22): a Page can hide and unhide a comment on its posts, and delete one.
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
    Published,
    ReadResult,
)
from civicsocial.platforms.adapters.graph import GraphClient, graph_iso
from civicsocial.platforms.adapters.snapshots import Profile, image_entry, now_iso, profile_line
from civicsocial.platforms.retry import RetryPolicy

THREAD_DAYS = 14
POST_FIELDS = "id,message,created_time,updated_time,permalink_url,full_picture,status_type"
COMMENT_FIELDS = "id,message,from{id,name},created_time,parent{id},is_hidden,permalink_url"
PAGE_FIELDS = "id,name,about,website,link,picture{url},verification_status,username"


class FacebookAdapter:
    platform = "facebook"
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
        self._page: dict[str, Any] | None = None

    @property
    def page(self) -> dict[str, Any]:
        """The Page the token speaks for (`/me` with a Page token)."""
        if self._page is None:
            self._page = self.graph.call("GET", "me", {"fields": PAGE_FIELDS})
        return self._page

    def _post_id(self, post_id: str) -> str:
        return f"facebook:{self.page['id']}/posts/{post_id}"

    @staticmethod
    def _comment_id(post_id: str, comment_id: str) -> str:
        return f"facebook:{post_id}/comments/{comment_id}"

    def read_since(self, cursor: str) -> ReadResult:
        """Every post; the comments of the recently active ones; the token's expiry."""
        seen = json.loads(cursor) if cursor else {}
        started = datetime.now(UTC)
        last = datetime.fromisoformat(seen["read_at"]) if seen.get("read_at") else started
        recent = min(last, started - timedelta(days=THREAD_DAYS))
        posts = list(self.graph.pages(f"{self.page['id']}/posts", {"fields": POST_FIELDS}))
        captures = [self._post_line(post) for post in posts]
        scopes = [f"facebook:{self.page['id']}/posts/"]
        for post in posts:
            if datetime.fromisoformat(graph_iso(post["updated_time"])) >= recent:
                comments = self.graph.pages(
                    f"{post['id']}/comments",
                    {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological"},
                )
                captures += [self._comment_line(post["id"], comment) for comment in comments]
                scopes.append(f"facebook:{post['id']}/comments/")
        return ReadResult(
            captures,
            json.dumps({"read_at": started.isoformat()}),
            scopes,
            credentials_expire_at=self.graph.token_expires_at(),
            platform_user_id=self.page["id"],
        )

    def _post_line(self, post: dict[str, Any]) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": self._post_id(post["id"]),
            "kind": "post",
            "author": self.handle,
            "text": post.get("message", ""),
            "created_at": graph_iso(post["created_time"]),
            "captured_at": now_iso(),
            "url": post.get("permalink_url", ""),
            "media": [image_entry(post["full_picture"])] if post.get("full_picture") else [],
            "raw": post,
        }

    def _comment_line(self, post_id: str, comment: dict[str, Any]) -> dict[str, Any]:
        author = comment.get("from") or {}
        mine = author.get("id") == self.page["id"]
        parent = (comment.get("parent") or {}).get("id")
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": self._comment_id(post_id, comment["id"]),
            "kind": "reply" if mine else "comment",
            "author": self.handle
            if mine
            else author.get("name", "") or f"facebook user {author.get('id', '?')}",
            "text": comment.get("message", ""),
            "created_at": graph_iso(comment["created_time"]),
            "captured_at": now_iso(),
            "url": comment.get("permalink_url", ""),
            "parent_id": self._comment_id(post_id, parent) if parent else self._post_id(post_id),
            "raw": comment,
        }

    def read_profile(self) -> dict[str, Any]:
        self._page = None  # a fresh look each snapshot
        page = self.page
        picture = ((page.get("picture") or {}).get("data") or {}).get("url", "")
        return profile_line(
            self.platform,
            self.handle,
            Profile(
                f"facebook:{page['id']}#profile",
                page.get("link", ""),
                page.get("name", ""),
                page.get("about", ""),
                [page["website"]] if page.get("website") else [],
                page.get("verification_status") == "blue_verified",
                picture,
            ),
            {"page": page},
            self.graph.timeout,
        )

    # Acting

    def publish(
        self, text: str, idempotency_key: str, reply_to: str = "", media: Sequence[MediaFile] = ()
    ) -> Published:
        raise NotSupported("posting to Facebook goes through the city's scheduling vendor (P12)")

    def hide(self, item_id: str) -> None:
        """Hide a comment: its author and friends still see it, nobody else (P22)."""
        self.graph.moderate("Facebook", item_id, "POST", {"is_hidden": "true"})

    def unhide(self, item_id: str) -> None:
        self.graph.moderate("Facebook", item_id, "POST", {"is_hidden": "false"})

    def delete(self, item_id: str) -> None:
        self.graph.moderate("Facebook", item_id, "DELETE", {})
