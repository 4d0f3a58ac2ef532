"""Bluesky (AT Protocol) through the `atproto` SDK, against the account's PDS.

Reading (poll): the PDS lists its repos with their latest revision (`sync.listRepos`);
the cursor keeps the revision seen of each, so a poll reads only repos that changed. The
account's own repo gives its posts and replies; another changed repo gives the replies
it holds to the account's threads (comments). Both are listed completely, so a post that
is no longer listed was removed (`ReadResult.complete_scopes`). The firehose
(`sync.subscribeRepos`, see bluesky_stream.py) brings the same within a second.

Publishing is idempotent: the record key is derived from the idempotency key, so a
retried create that had already succeeded finds the record instead of posting twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from atproto import Client
from atproto_client import models
from atproto_client.exceptions import (
    AtProtocolError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from django.core.cache import cache
from pydantic import ValidationError

from civicsocial.platforms.adapters.base import (
    Capability,
    MediaFile,
    NotSupported,
    PlatformError,
    Published,
    ReadResult,
    profile_text,
)
from civicsocial.platforms.retry import RetryPolicy, backoff, with_retries

POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
THREADGATE = "app.bsky.feed.threadgate"
VERIFICATION = "app.bsky.graph.verification"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Idempotent record keys take their time part from the key's hash, within 2023 (a fixed
# past year: a key in the future would sort after every real post).
TID_EPOCH_US = 1_672_531_200_000_000
TID_SPAN_US = 365 * 24 * 3600 * 1_000_000
# A record without createdAt (optional on profiles): a fixed time, so that the same
# content always hashes the same and is not archived again as an edit.
UNKNOWN_TIME = "1970-01-01T00:00:00Z"
T = TypeVar("T")


def tid_for(key: str) -> str:
    """A valid, deterministic TID record key for an idempotency key."""
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    micros = TID_EPOCH_US + digest % TID_SPAN_US
    value = (micros << 10) | (digest >> 54)  # 10 bits of clock id; top bit stays 0
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def reply_uris(value: dict[str, Any]) -> tuple[str, str]:
    """(parent, thread root) URIs of a post record; empty for a top-level post."""
    reply = value.get("reply") or {}
    return (reply.get("parent") or {}).get("uri", ""), (reply.get("root") or {}).get("uri", "")


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _status(error: RequestErrorBase) -> int:
    return error.response.status_code if error.response is not None else 0


def translate(error: Exception) -> PlatformError:
    """A platform error in our terms: retry_after set when another try may succeed
    (rate limits, server errors, timeouts, dropped connections, garbled bodies)."""
    if isinstance(error, RateLimitExceededError):
        wait = error.retry_after
        if wait is None and error.reset_at is not None:
            wait = max((error.reset_at - datetime.now(UTC)).total_seconds(), 0.0)
        return PlatformError(f"rate limited by the platform: {error}", retry_after=wait or 1.0)
    if isinstance(error, NetworkError):
        return PlatformError(f"platform unreachable: {error}", retry_after=0.0)
    if isinstance(error, RequestErrorBase) and _status(error) >= 500:
        return PlatformError(f"platform error {_status(error)}: {error}", retry_after=0.0)
    if isinstance(error, ValidationError | ValueError | httpx.HTTPError):
        return PlatformError(f"garbled answer from the platform: {str(error)[:200]}", retry_after=0.0)
    return PlatformError(f"platform refused: {error}")


class BlueskyAdapter:
    platform = "bluesky"
    capabilities = frozenset({Capability.READ, Capability.STREAM, Capability.PROFILE,
                              Capability.PUBLISH, Capability.REPLY, Capability.HIDE,
                              Capability.UNHIDE, Capability.DELETE_OWN})

    def __init__(self, service: str, handle: str, password: str, timeout: float = 10.0,
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 verifiers: list[str] | None = None) -> None:
        self.service = service.rstrip("/")
        self.verifiers = verifiers or []  # DIDs of the trusted verifiers
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.handle = handle
        self._password = password
        self._client = Client(base_url=self.service, request=Request(timeout=timeout))
        self._did = ""

    @classmethod
    def reader(cls, service: str, handle: str, did: str) -> BlueskyAdapter:
        """An adapter that reads public data (records, blobs, handles) without logging in."""
        adapter = cls(service, handle, password="")
        adapter._did = did
        return adapter

    # Every SDK call goes through here: log in on first use (again if the session
    # expired), turn SDK errors into PlatformError, and retry what may succeed later.
    def _call(self, fn: Callable[[Client], T], retries: bool = True) -> T:
        if not retries:
            return self._once(fn)
        return with_retries(lambda: self._once(fn), self.retry, self.sleep)

    def _once(self, fn: Callable[[Client], T]) -> T:
        for attempt in range(2):
            try:
                if not self._did and self._password:
                    # No AppView profile lookup: a PDS alone does not serve it.
                    self._client.login(self.handle, self._password, fetch_bsky_profile=False)
                    self._did = self._client._session.did if self._client._session else ""
                return fn(self._client)
            except UnauthorizedError as error:
                if attempt == 0 and self._did:
                    self._did = ""  # an expired session: log in once more
                    continue
                raise PlatformError(f"the platform refused the account's credentials: {error}") \
                    from None
            except (AtProtocolError, ValidationError, ValueError, httpx.HTTPError) as error:
                raise translate(error) from None
        raise AssertionError("unreachable")

    @property
    def did(self) -> str:
        if not self._did:
            self._call(lambda client: None)
        return self._did

    def did_of(self, handle: str) -> str:
        """The DID behind a handle (public: a reader needs no login)."""
        return str(self._call(lambda c: c.com.atproto.identity.resolve_handle(
            {"handle": handle.lstrip("@")})).did)

    def author_handle(self, did: str) -> str:
        """The author's handle, asked of the service once per HANDLE_SECONDS for every
        reader in the process (a burst brings the same residents again and again); the
        firehose's #identity events replace it as soon as it changes (remember_handle)."""
        key = _handle_key(self.service, did)
        handle = cache.get(key)
        if handle is None:
            handle = self._call(lambda c: c.com.atproto.repo.describe_repo({"repo": did}).handle)
            cache.set(key, handle, HANDLE_SECONDS)
        return str(handle)

    # Reading

    def _repos(self) -> dict[str, str]:
        revs: dict[str, str] = {}
        cursor = None
        while True:
            page = self._call(_list_repos(cursor))
            revs.update({repo.did: repo.rev for repo in page.repos if repo.active is not False})
            cursor = page.cursor
            if not cursor or not page.repos:
                return revs

    def _posts(self, did: str) -> Iterator[models.ComAtprotoRepoListRecords.Record]:
        cursor = None
        while True:
            page = self._call(_list_records(did, POST, cursor))
            yield from page.records
            cursor = page.cursor
            if not cursor or not page.records:
                return

    def read_since(self, cursor: str) -> ReadResult:
        """Posts and replies of the account, and replies to its threads, in repos that
        changed since the cursor (a JSON map of repo DID to revision)."""
        seen: dict[str, str] = json.loads(cursor)["revs"] if cursor else {}
        revs = self._repos()
        own = f"at://{self.did}/"
        captures: list[dict[str, Any]] = []
        scopes: list[str] = []
        for did, rev in sorted(revs.items()):
            if seen.get(did) == rev:
                continue
            scopes.append(f"at://{did}/{POST}/")
            for record in self._posts(did):
                value = models.get_model_as_dict(record.value)
                parent, root = reply_uris(value)
                # Filter before capturing: a capture fetches the author and the media.
                if did == self.did or (root or parent).startswith(own):
                    captures.append(self.capture_of(did, record.uri, record.cid, value))
        return ReadResult(captures, json.dumps({"revs": revs}, sort_keys=True), scopes)

    def capture_of(self, did: str, uri: str, cid: str | None, value: dict[str, Any]) -> dict[str, Any]:
        """The capture line of one post record (its JSON value)."""
        parent, _ = reply_uris(value)
        kind = ("reply" if parent else "post") if did == self.did else "comment"
        author = self.author_handle(did)
        rkey = uri.rsplit("/", 1)[-1]
        return {
            "platform": self.platform, "account": self.handle, "item_id": uri, "kind": kind,
            "author": author, "text": value.get("text", ""),
            "created_at": value.get("createdAt") or UNKNOWN_TIME, "captured_at": now_iso(),
            "parent_id": parent, "url": f"https://bsky.app/profile/{author}/post/{rkey}",
            "language": (value.get("langs") or [""])[0], "media": self._media(did, value),
            "raw": {"uri": uri, "cid": cid, "value": value},
        }

    def _blob(self, did: str, cid: str) -> bytes:
        return self._call(lambda c: c.com.atproto.sync.get_blob({"did": did, "cid": cid}))

    def _media(self, did: str, value: dict[str, Any]) -> list[dict[str, Any]]:
        images = ((value.get("embed") or {}).get("images")) or []
        media = []
        for image in images:
            blob = image.get("image") or {}
            cid = (blob.get("ref") or {}).get("$link", "")
            if cid:
                media.append({"url": f"at://{did}/blob/{cid}",
                              "content_type": blob.get("mimeType", "application/octet-stream"),
                              "data": base64.b64encode(self._blob(did, cid)).decode()})
        return media

    def read_profile(self) -> dict[str, Any]:
        """A snapshot of the account's profile as a capture line (kind profile)."""
        try:
            record = self._call(lambda c: c.com.atproto.repo.get_record(
                {"repo": self.did, "collection": PROFILE, "rkey": "self"}))
            value = models.get_model_as_dict(record.value)
        except PlatformError as error:
            if error.retry_after is not None:
                raise
            value = {}  # no profile record yet: an empty profile is what the public sees
        avatar = value.get("avatar") or {}
        cid = (avatar.get("ref") or {}).get("$link", "")
        media = [{"url": f"at://{self.did}/blob/{cid}", "content_type": avatar.get("mimeType", ""),
                  "data": base64.b64encode(self._blob(self.did, cid)).decode()}] if cid else []
        name, bio = value.get("displayName", ""), value.get("description", "")
        links = [value["website"]] if value.get("website") else []
        verifier = self.verified_by(name)
        verified = bool(verifier)
        return {
            "platform": self.platform, "account": self.handle,
            "item_id": f"at://{self.did}/{PROFILE}/self", "kind": "profile",
            "author": self.handle, "text": profile_text(name, bio, links, verified),
            "created_at": value.get("createdAt") or UNKNOWN_TIME, "captured_at": now_iso(),
            "url": f"https://bsky.app/profile/{self.handle}", "media": media,
            "raw": {"did": self.did, "handle": self.handle, "value": value,
                    "profile": {"name": name, "bio": bio, "links": links, "verified": verified,
                                "verified_by": verifier}},
        }

    def verified_by(self, name: str) -> str:
        """The trusted verifier (DID) whose `app.bsky.graph.verification` record vouches
        for this account under its current handle and display name, or "". This is what
        Bluesky's blue check means; like the app, a change of handle or name voids it."""
        for verifier in self.verifiers:
            cursor = None
            while True:
                try:
                    page = self._call(_list_records(verifier, VERIFICATION, cursor))
                except PlatformError as error:
                    if error.retry_after is not None:
                        raise
                    break  # no such repo on this service: it vouches for no one here
                for record in page.records:
                    value = models.get_model_as_dict(record.value)
                    if value.get("subject") == self.did and value.get("displayName") == name \
                            and value.get("handle", "").lower() == self.handle.lstrip("@").lower():
                        return verifier
                cursor = page.cursor
                if not cursor or not page.records:
                    break
        return ""

    # Acting

    def vouch_for(self, did: str, handle: str, name: str) -> str:
        """As a verifier: a verification record for an account as it is named now."""
        record = {"$type": VERIFICATION, "subject": did, "handle": handle.lstrip("@"),
                  "displayName": name, "createdAt": now_iso()}
        created = self._call(lambda c: c.com.atproto.repo.create_record(
            {"repo": self.did, "collection": VERIFICATION, "record": record}))
        return str(created.uri)

    def update_profile(self, name: str, bio: str, website: str = "",
                       avatar_png: bytes | None = None) -> None:
        """Set the account's display name, bio, link and picture (what P8 audits)."""
        record: dict[str, Any] = {"$type": PROFILE, "displayName": name, "description": bio}
        if website:
            record["website"] = website
        if avatar_png is not None:
            blob = self._call(lambda c: c.upload_blob(avatar_png)).blob
            record["avatar"] = blob.model_dump(by_alias=True)
        self._call(lambda c: c.com.atproto.repo.put_record(
            {"repo": self.did, "collection": PROFILE, "rkey": "self", "record": record}))

    def publish(self, text: str, idempotency_key: str, reply_to: str = "",
                media: Sequence[MediaFile] = ()) -> Published:
        """Post (or reply to `reply_to`, an at:// URI) exactly once per idempotency key,
        with up to four images and their alt text."""
        rkey = tid_for(idempotency_key)
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": now_iso()}
        if reply_to:
            record["reply"] = self._reply_ref(reply_to)
        if media and self._existing(rkey) is None:  # a retry that got through uploads nothing
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [
                {"alt": item.alt_text, "image": self._upload(item)} for item in media]}
        uri = f"at://{self.did}/{POST}/{rkey}"
        rng = random.Random()  # noqa: S311 - jitter, not secrecy
        for attempt in range(self.retry.attempts):
            try:
                self._call(lambda c: c.com.atproto.repo.create_record(
                    {"repo": self.did, "collection": POST, "rkey": rkey, "record": record}),
                    retries=False)
                return Published(uri, self._url(uri), created=True)
            except PlatformError as error:
                existing = self._existing(rkey)  # did this or an earlier try get through?
                if existing is not None:
                    if existing.get("text") != text:
                        raise PlatformError(f"idempotency key {idempotency_key!r} already "
                                            "published a different text") from None
                    return Published(uri, self._url(uri), created=False)
                if error.retry_after is None or attempt == self.retry.attempts - 1:
                    raise
                self.sleep(backoff(self.retry, attempt, error.retry_after, rng))
        raise AssertionError("unreachable")

    def _upload(self, item: MediaFile) -> dict[str, Any]:
        """Upload an image blob; its reference for the post's embed."""
        uploaded = self._call(lambda c: c.com.atproto.repo.upload_blob(item.data))
        return models.get_model_as_dict(uploaded.blob)

    def _existing(self, rkey: str) -> dict[str, Any] | None:
        try:
            found = self._call(lambda c: c.com.atproto.repo.get_record(
                {"repo": self.did, "collection": POST, "rkey": rkey}))
        except PlatformError as error:
            if error.retry_after is not None:
                raise
            return None
        return models.get_model_as_dict(found.value)

    def _record(self, uri: str) -> tuple[str, dict[str, Any]]:
        did, collection, rkey = _parts(uri)
        found = self._call(lambda c: c.com.atproto.repo.get_record(
            {"repo": did, "collection": collection, "rkey": rkey}))
        return found.cid or "", models.get_model_as_dict(found.value)

    def _reply_ref(self, parent_uri: str) -> dict[str, Any]:
        cid, value = self._record(parent_uri)
        parent = {"uri": parent_uri, "cid": cid}
        root = (value.get("reply") or {}).get("root") or parent
        return {"root": root, "parent": parent}

    def _url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self.handle}/post/{uri.rsplit('/', 1)[-1]}"

    def hide(self, item_id: str) -> None:
        """Hide a reply in the account's thread (the root post's threadgate)."""
        self._set_hidden(item_id, True)

    def unhide(self, item_id: str) -> None:
        """Show a hidden reply again (taken off the threadgate's hiddenReplies)."""
        self._set_hidden(item_id, False)

    def _set_hidden(self, item_id: str, hidden: bool) -> None:
        _, value = self._record(item_id)
        root = ((value.get("reply") or {}).get("root") or {}).get("uri", "")
        if not root.startswith(f"at://{self.did}/"):
            raise NotSupported("only replies in the account's own threads can be hidden")
        rkey = root.rsplit("/", 1)[-1]
        try:
            _, gate = self._record(f"at://{self.did}/{THREADGATE}/{rkey}")
        except PlatformError as error:
            if error.retry_after is not None:
                raise
            gate = {"$type": THREADGATE, "post": root, "createdAt": now_iso()}
        replies = [uri for uri in gate.get("hiddenReplies", []) if uri != item_id]
        gate["hiddenReplies"] = [*replies, item_id] if hidden else replies
        gate.setdefault("$type", THREADGATE)
        self._call(lambda c: c.com.atproto.repo.put_record(
            {"repo": self.did, "collection": THREADGATE, "rkey": rkey, "record": gate}))

    def delete(self, item_id: str) -> None:
        """Delete one of the account's own posts (Bluesky cannot delete others')."""
        did, collection, rkey = _parts(item_id)
        if did != self.did:
            raise NotSupported("Bluesky lets an account delete only its own posts; hide a reply instead")
        self._call(lambda c: c.com.atproto.repo.delete_record(
            {"repo": did, "collection": collection, "rkey": rkey}))


def _parts(uri: str) -> tuple[str, str, str]:
    """(repo DID, collection, record key) of an at:// URI."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        raise PlatformError(f"not a record URI: {uri!r}")
    return parts[0], parts[1], parts[2]


# Calls for pages of a listing (factories, so each call binds its own cursor).
def _list_repos(cursor: str | None) -> Callable[[Client], models.ComAtprotoSyncListRepos.Response]:
    return lambda c: c.com.atproto.sync.list_repos({"limit": 1000, "cursor": cursor})


def _list_records(did: str, collection: str, cursor: str | None) -> Callable[
        [Client], models.ComAtprotoRepoListRecords.Response]:
    return lambda c: c.com.atproto.repo.list_records(
        {"repo": did, "collection": collection, "limit": 100, "cursor": cursor})


# A handle no #identity event said had changed (polling sees none) is asked again after this.
HANDLE_SECONDS = 3600


def _handle_key(service: str, did: str) -> str:
    return f"bluesky-handle:{service.rstrip('/')}:{did}"


def remember_handle(service: str, did: str, handle: str | None) -> None:
    """What a firehose #identity event says of a DID: its handle now (none: ask again)."""
    if handle:
        cache.set(_handle_key(service, did), handle, HANDLE_SECONDS)
    else:
        cache.delete(_handle_key(service, did))
