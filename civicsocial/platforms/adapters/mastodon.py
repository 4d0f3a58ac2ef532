"""Mastodon (client API) through Mastodon.py.

Reading: the account's own statuses are listed completely (so a deleted one becomes a
deletion version); replies come from the account's mention notifications since the
cursor (a reply mentions the author it answers) and from the threads of its recent
statuses (replies deeper in a thread that mention someone else). Publishing sends the
API's own `Idempotency-Key`, so a retried post is not posted twice.
"""

from __future__ import annotations

import base64
import html
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
from django.utils.html import strip_tags
from mastodon import Mastodon, StreamListener
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from civicsocial.platforms.adapters.base import (
    Capability,
    MediaFile,
    NotSupported,
    PlatformError,
    Published,
    ReadResult,
    profile_text,
)
from civicsocial.platforms.retry import RetryPolicy, with_retries

THREAD_DAYS = 14  # threads of statuses this recent are re-read for deep replies
PAGE = 40
STREAM_TIMEOUT = 60  # seconds without a byte (Mastodon sends a heartbeat) before reconnecting
BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)
T = TypeVar("T")


def plain_text(content: str) -> str:
    """A status's HTML as the text a reader sees."""
    return html.unescape(strip_tags(BREAKS.sub("\n", content or ""))).strip()


def _jsonable(value: Any) -> Any:
    """Mastodon.py's entities (dicts with datetimes) as plain JSON values."""
    return json.loads(json.dumps(value, default=lambda o: o.isoformat()
                                 if isinstance(o, datetime) else str(o)))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value or "1970-01-01T00:00:00+00:00")


class MastodonAdapter:
    platform = "mastodon"
    capabilities = frozenset({Capability.READ, Capability.STREAM, Capability.PROFILE,
                              Capability.PUBLISH, Capability.REPLY, Capability.DELETE_OWN})

    def __init__(self, base_url: str, handle: str, token: str, timeout: float = 10.0,
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.handle = handle
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self._api = Mastodon(access_token=token, api_base_url=self.base_url,
                             request_timeout=timeout, ratelimit_method="throw",
                             version_check_mode="none")
        self._me: dict[str, Any] | None = None
        self._uris: dict[str, str] = {}  # status id -> URI, for the parents of replies

    def _translate(self, error: Exception) -> PlatformError:
        if isinstance(error, MastodonRatelimitError):
            reset = self._api.ratelimit_reset
            wait = max(reset - time.time(), 1.0) if reset else 1.0
            return PlatformError(f"rate limited by the platform: {error}", retry_after=wait)
        if isinstance(error, MastodonNetworkError | MastodonServerError):
            return PlatformError(f"platform unavailable: {error}", retry_after=0.0)
        if isinstance(error, MastodonUnauthorizedError):
            return PlatformError(f"the platform refused the account's credentials: {error}")
        if isinstance(error, MastodonAPIError) and "Could not parse" in str(error):
            return PlatformError(f"garbled answer from the platform: {str(error)[:200]}",
                                 retry_after=0.0)
        return PlatformError(f"platform refused: {error}")

    def _call(self, fn: Callable[[Mastodon], T]) -> T:
        def once() -> T:
            try:
                return fn(self._api)
            except (MastodonError, ValueError, requests.RequestException) as error:
                raise self._translate(error) from None
        return with_retries(once, self.retry, self.sleep)

    @property
    def me(self) -> dict[str, Any]:
        if self._me is None:
            self._me = _jsonable(self._call(lambda api: api.account_verify_credentials()))
        return self._me

    def max_characters(self) -> int | None:
        """The instance's own limit on a status's length (its configuration), if it says."""
        instance = _jsonable(self._call(lambda api: api.instance()))
        limit = ((instance.get("configuration") or {}).get("statuses") or {}).get("max_characters")
        return int(limit) if limit else None

    # Reading

    def _own_statuses(self) -> list[dict[str, Any]]:
        statuses: list[dict[str, Any]] = []
        max_id = None
        while True:
            page = self._call(_statuses_page(self.me["id"], max_id))
            statuses += [_jsonable(s) for s in page]
            if len(page) < PAGE:
                return statuses
            max_id = page[-1]["id"]

    def read_since(self, cursor: str) -> ReadResult:
        """Own statuses (all), replies mentioning the account since the cursor, and
        replies in the threads of its statuses of the last THREAD_DAYS days."""
        seen = json.loads(cursor) if cursor else {}
        own = self._own_statuses()
        found: dict[str, dict[str, Any]] = {s["uri"]: s for s in own}
        since = seen.get("notification")
        notifications = self._mentions_after(since)
        for note in notifications:
            status = note.get("status")
            if status and status.get("in_reply_to_id"):
                found.setdefault(status["uri"], status)
        recent = datetime.now(UTC) - timedelta(days=THREAD_DAYS)
        for status in own:
            if datetime.fromisoformat(status["created_at"]) >= recent:
                for reply in self._replies_to(status["id"]):
                    found.setdefault(reply["uri"], reply)
        newest = max([n["id"] for n in notifications], default=since, key=lambda i: int(i or 0))
        # Own statuses share a URI prefix (https://host/users/NAME/statuses/ on Mastodon);
        # learned once and kept, so that deleting the last one is still noticed.
        prefixes = {s["uri"].rsplit("/", 1)[0] + "/" for s in own}
        scope = seen.get("own_scope") or (prefixes.pop() if len(prefixes) == 1 else "")
        by_id = {s["id"]: s for s in found.values()}
        captures = [self.capture_of(s, by_id) for s in found.values()]
        return ReadResult(captures, json.dumps({"notification": newest, "own_scope": scope}),
                          [scope] if scope else [])

    def _parent_uri(self, status: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
        """The URI of the status this one answers, the same on every capture (it is part of
        the archived content: a different value would be archived as an edit)."""
        parent_id = status.get("in_reply_to_id") or ""
        if not parent_id:
            return ""
        if parent_id in by_id:
            self._uris[parent_id] = by_id[parent_id]["uri"]
        if parent_id not in self._uris:
            try:
                self._uris[parent_id] = str(self._call(lambda api: api.status(parent_id))["uri"])
            except PlatformError as error:
                if error.retry_after is not None:
                    raise
                # Deleted or out of sight: the status's address on its instance instead.
                self._uris[parent_id] = f"{self.base_url}/statuses/{parent_id}"
        return self._uris[parent_id]

    def _replies_to(self, status_id: str) -> list[dict[str, Any]]:
        """The replies in a status's thread; none if it was deleted since it was listed
        (that must not fail the run: the next listing records the deletion)."""
        try:
            context = _jsonable(self._call(_thread_of(status_id)))
        except PlatformError as error:
            if error.retry_after is not None:
                raise
            return []
        return list(context.get("descendants", []))

    def _mentions_after(self, since: str | None) -> list[dict[str, Any]]:
        """Every mention notification after `since`, oldest page first (min_id pages
        forward from it; since_id would give only the newest page)."""
        found: list[dict[str, Any]] = []
        after = since
        while True:
            page = [_jsonable(n) for n in self._call(_mentions_page(after))]
            found += page
            if len(page) < PAGE:
                return found
            after = max((n["id"] for n in page), key=int)

    def capture_of(self, status: dict[str, Any],
                   by_id: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """A status as a capture line: the account's own post or reply, or a comment."""
        status = _jsonable(status)
        mine = status["account"]["id"] == self.me["id"]
        parent_uri = self._parent_uri(status, by_id or {})
        kind = ("reply" if status.get("in_reply_to_id") else "post") if mine else "comment"
        return {
            "platform": self.platform, "account": self.handle, "item_id": status["uri"],
            "kind": kind, "author": "@" + status["account"]["acct"],
            "text": plain_text(status.get("content", "")),
            "created_at": _iso(status.get("created_at")),
            "captured_at": datetime.now(UTC).isoformat(), "parent_id": parent_uri,
            "url": status.get("url") or status["uri"], "language": status.get("language") or "",
            "media": [{"url": m.get("url", ""), "content_type": m.get("type", "")}
                      for m in status.get("media_attachments", [])],
            "raw": status,
        }

    def read_profile(self) -> dict[str, Any]:
        self._me = None  # a fresh look each snapshot
        me = self.me
        avatar, avatar_type = b"", ""
        if me.get("avatar"):
            try:  # one try: a missing picture must not cost the whole snapshot
                response = requests.get(me["avatar"], timeout=10)
                response.raise_for_status()
                avatar, avatar_type = response.content, response.headers.get("content-type", "")
            except requests.RequestException:
                avatar = b""
        links = [plain_text(f.get("value", "")) for f in me.get("fields", [])]
        name, bio = me.get("display_name", ""), plain_text(me.get("note", ""))
        verified = any(f.get("verified_at") for f in me.get("fields", []))
        return {
            "platform": self.platform, "account": self.handle,
            "item_id": (me.get("uri") or me.get("url", "")) + "#profile", "kind": "profile",
            "author": self.handle, "text": profile_text(name, bio, links, verified),
            "created_at": _iso(me.get("created_at")), "captured_at": datetime.now(UTC).isoformat(),
            "url": me.get("url", ""),
            "media": [{"url": me["avatar"], "content_type": avatar_type.split(";")[0],
                       "data": base64.b64encode(avatar).decode()}] if avatar else [],
            "raw": {"account": me, "profile": {
                "name": name, "bio": bio, "links": links, "verified": verified}},
        }

    def open_stream(self, listener: StreamListener) -> Any:
        """The account's user stream (its own statuses, mentions, edits, deletions) sent
        to `listener` from a thread of its own, once connected; the handle's is_alive()
        turns false when the connection ends, and close() ends it."""
        try:
            handle = self._api.stream_user(listener, run_async=True, timeout=STREAM_TIMEOUT)
        except (MastodonError, ValueError, requests.RequestException) as error:
            raise self._translate(error) from None
        # Mastodon.py connects on its own thread: return only once the server has the
        # subscription, so that a catch-up run made after this misses nothing.
        deadline = time.monotonic() + STREAM_TIMEOUT
        while getattr(handle, "connection", None) is None:
            if not handle.is_alive() or time.monotonic() > deadline:
                handle.close()
                raise PlatformError("could not connect to the streaming API", retry_after=0.0)
            time.sleep(0.02)
        return handle

    # Acting

    def _status_id(self, item_id: str) -> str:
        """The status id of an item id (its URI); our own URIs end with it."""
        return item_id.rstrip("/").rsplit("/", 1)[-1]

    def publish(self, text: str, idempotency_key: str, reply_to: str = "",
                media: Sequence[MediaFile] = ()) -> Published:
        """Post (or reply) once per idempotency key (Mastodon keeps the key an hour), with
        images and their descriptions."""
        tries = 0
        media_ids = [self._call(_upload(item))["id"] for item in media]

        def post(api: Mastodon) -> Any:
            nonlocal tries
            tries += 1
            return api.status_post(text, in_reply_to_id=self._status_id(reply_to) if reply_to else None,
                                   media_ids=media_ids or None, idempotency_key=idempotency_key)

        status = _jsonable(self._call(post))
        return Published(status["uri"], status.get("url") or status["uri"], created=tries == 1)

    def hide(self, item_id: str) -> None:
        raise NotSupported("Mastodon has no way for an account to hide a reply")

    def unhide(self, item_id: str) -> None:
        raise NotSupported("Mastodon has no way for an account to hide a reply")

    def delete(self, item_id: str) -> None:
        status_id = self._status_id(item_id)
        try:
            status = self._call(lambda api: api.status(status_id))
        except PlatformError as error:
            raise PlatformError(f"no such status: {item_id}") from error
        if status["account"]["id"] != self.me["id"]:
            raise NotSupported("Mastodon lets an account delete only its own statuses")
        self._call(lambda api: api.status_delete(status_id))


# Calls that bind their own arguments (each page, each thread, each image).
def _upload(item: MediaFile) -> Callable[[Mastodon], Any]:
    return lambda api: api.media_post(item.data, mime_type=item.content_type, description=item.alt_text)


def _statuses_page(account_id: str, max_id: str | None) -> Callable[[Mastodon], Any]:
    return lambda api: api.account_statuses(account_id, max_id=max_id, limit=PAGE)


def _thread_of(status_id: str) -> Callable[[Mastodon], Any]:
    return lambda api: api.status_context(status_id)


def _mentions_page(after: str | None) -> Callable[[Mastodon], Any]:
    return lambda api: api.notifications(types=["mention"], min_id=after, limit=PAGE)
