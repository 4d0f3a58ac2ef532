"""X through its API v2 with tweepy, on the account's OAuth 2.0 user-context token.

X bills reading: every post read counts toward the project's monthly cap, so reading is
incremental. Each run reads the account's posts and its mentions (replies to its posts
included) newer than the last run (`since_id`). An edit is a new post id in X's timeline;
the archive files every version under the first id of `edit_history_tweet_ids`, so an edit
is a new version of one item. Removals: the posts and replies of the last WATCH_DAYS days
are looked up again, 100 at a time; the ones X no longer finds become removals.

Limits: each answer's `x-rate-limit-remaining` and `-reset` are read, and the next call waits
for the window to reset when none are left (a 429 waits the same way). With the city's app
token (X_APP_BEARER_TOKEN), each run reads `GET /2/usage/tweets` and spreads what is left of
the monthly cap over the runs left before it resets: a run that would go over reads what its
share allows, says so, and the next run carries on from there (`until_id`). At the cap, the
run stops and says when it resets. Moderation (P22): hide and unhide a reply; delete one's own.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from civicsocial.platforms.adapters.base import (
    Capability,
    MediaFile,
    NotSupported,
    PlatformError,
    Published,
    ReadResult,
)
from civicsocial.platforms.adapters.snapshots import Profile, image_entry, profile_line
from civicsocial.platforms.retry import RetryPolicy, with_retries

X_HOST = "https://api.twitter.com"  # where tweepy sends every call
WATCH_DAYS = 7
WATCH_MAX = 300
TWEET_FIELDS = [
    "created_at",
    "author_id",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "edit_history_tweet_ids",
    "attachments",
    "lang",
]
EXPANSIONS = ["author_id", "attachments.media_keys"]
MEDIA_FIELDS = ["url", "type", "preview_image_url", "alt_text"]
USER_FIELDS = [
    "username",
    "name",
    "description",
    "url",
    "verified",
    "verified_type",
    "profile_image_url",
    "entities",
    "created_at",
]


class Rebased(HTTPAdapter):
    """Sends tweepy's calls (always to api.twitter.com) to another host: X's newer api.x.com,
    or the contract server of the tests and the demo."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        request.url = self.base_url + str(request.url)[len(X_HOST) :]
        return super().send(request, *args, **kwargs)


@dataclass
class Budget:
    """How many posts this run may read (None: no cap known)."""

    left: int | None = None
    cut_short: bool = False

    def page(self) -> int:
        """The next page's size: at most 100, at least X's minimum of 5 (0: nothing left)."""
        if self.left is None:
            return 100
        return min(100, self.left) if self.left >= 5 else 0

    def spend(self, posts: int) -> None:
        if self.left is not None:
            self.left -= posts


class XAdapter:
    platform = "x"
    capabilities = frozenset({Capability.READ, Capability.PROFILE, Capability.HIDE, Capability.UNHIDE,
                              Capability.DELETE_OWN})

    def __init__(
        self,
        base_url: str,
        handle: str,
        token: str,
        app_token: str = "",
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        runs_per_day: float = 288,
        accounts_sharing_cap: int = 1,
    ) -> None:
        self.handle = handle
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.runs_per_day, self.sharing = runs_per_day, max(1, accounts_sharing_cap)
        self._client = self._tweepy(base_url, token)
        self._app = self._tweepy(base_url, app_token) if app_token else None
        self._me: dict[str, Any] | None = None
        self._resume_at: dict[str, float] = {}  # endpoint -> when its window resets

    def _tweepy(self, base_url: str, token: str) -> tweepy.Client:
        client = tweepy.Client(bearer_token=token, return_type=requests.Response)
        if base_url.rstrip("/") != X_HOST:
            client.session.mount(X_HOST, Rebased(base_url))
        original = client.session.request
        client.session.request = lambda *a, **k: original(*a, **{"timeout": self.timeout, **k})
        return client

    # Every call goes through here.

    def _call(self, endpoint: str, fn: Callable[[], requests.Response]) -> dict[str, Any]:
        def once() -> dict[str, Any]:
            wait = self._resume_at.pop(endpoint, 0) - time.time()
            if wait > self.retry.max_wait:  # the next capture run tries again
                raise PlatformError(f"X's rate limit for {endpoint} resets in {wait:.0f} s")
            if wait > 0:  # nothing left in this window: wait for it instead of provoking a 429
                self.sleep(wait)
            try:
                response = fn()
                body = response.json()
            except tweepy.TooManyRequests as error:
                raise self._too_many(error) from None
            except tweepy.Unauthorized:
                raise PlatformError("X refused the account's token (authorize the account again)") from None
            except tweepy.TwitterServerError as error:
                raise PlatformError(f"X is unavailable: {error}", retry_after=0.0) from None
            except tweepy.HTTPException as error:
                raise PlatformError(f"X refused: {error}") from None
            except requests.RequestException as error:
                raise PlatformError(f"X is unreachable: {error}", retry_after=0.0) from None
            except ValueError:
                raise PlatformError("garbled answer from X", retry_after=0.0) from None
            if response.headers.get("x-rate-limit-remaining") == "0":
                self._resume_at[endpoint] = float(response.headers.get("x-rate-limit-reset") or 0)
            return body if isinstance(body, dict) else {}

        return with_retries(once, self.retry, self.sleep)

    def _too_many(self, error: tweepy.TooManyRequests) -> PlatformError:
        try:
            title = error.response.json().get("title", "")
        except ValueError:
            title = ""
        if title == "UsageCapExceeded":
            return PlatformError(
                "X's monthly cap for the city's project is reached: capture resumes when it resets"
            )
        reset = float(error.response.headers.get("x-rate-limit-reset") or 0)
        return PlatformError("rate limited by X", retry_after=max(1.0, reset - time.time()))

    @property
    def me(self) -> dict[str, Any]:
        if self._me is None:
            self._me = self._call(
                "users/me", lambda: self._client.get_me(user_fields=USER_FIELDS, user_auth=False)
            ).get("data", {})
        return self._me

    # Reading

    def _budget(self) -> tuple[Budget, list[str]]:
        """This run's share of what is left of the monthly cap."""
        if self._app is None:
            return Budget(), []
        app = self._app
        usage = self._call("usage", lambda: app.request("GET", "/2/usage/tweets")).get("data", {})
        if usage.get("project_cap") is None:  # no cap reported: nothing to share out
            return Budget(), []
        cap, used = int(usage["project_cap"]), int(usage.get("project_usage") or 0)
        reset_day = int(usage.get("cap_reset_day") or 1)
        today = datetime.now(UTC).date()
        days = (reset_day - today.day) % 31 or 31
        if used >= cap:  # a cap of 0 is reached too, not "no cap"
            raise PlatformError(
                f"X's monthly cap for the city's project is reached ({used:,} of {cap:,} posts "
                f"read): capture resumes after it resets on day {reset_day} of the month"
            )
        share = max(5, math.floor((cap - used) / (days * self.runs_per_day * self.sharing)))
        return Budget(share), []

    def read_since(self, cursor: str) -> ReadResult:
        """Posts and mentions since the last run, edits and removals noticed; within the cap."""
        state = json.loads(cursor) if cursor else {}
        budget, notes = self._budget()
        me = self.me["id"]
        posts, state["posts"] = self._timeline(
            "users/tweets",
            state.get("posts", {}),
            budget,
            lambda **p: self._client.get_users_tweets(me, user_auth=False, **p),
        )
        mentions, state["mentions"] = self._timeline(
            "users/mentions",
            state.get("mentions", {}),
            budget,
            lambda **p: self._client.get_users_mentions(me, user_auth=False, **p),
        )
        users = {u["id"]: u for u in posts["users"] + mentions["users"]}
        media = {m["media_key"]: m for m in posts["media"] + mentions["media"]}
        captures = [self._line(tweet, users, media) for tweet in posts["data"] + mentions["data"]]
        watched, removed = self._check_watched(state.get("watch", []), captures, budget)
        state["watch"] = watched
        captures += removed
        if budget.cut_short:
            notes.append("X's monthly cap: this run read its share and stopped; the next run carries on")
        return ReadResult(captures, json.dumps(state), [], notes=notes, platform_user_id=me)

    def _timeline(
        self, endpoint: str, position: dict[str, Any], budget: Budget, fetch: Callable[..., requests.Response]
    ) -> tuple[dict[str, list[Any]], dict[str, Any]]:
        """Every post of a timeline newer than `since` (and older than `until`, when an earlier
        run was cut short), newest first, within the budget."""
        since, until, newest = position.get("since"), position.get("until"), position.get("newest")
        found: dict[str, list[Any]] = {"data": [], "users": [], "media": []}
        token = None
        while True:
            size = budget.page()
            if size == 0:
                budget.cut_short = True
                oldest = min((t["id"] for t in found["data"]), key=int, default=until)
                top = max(
                    [t["id"] for t in found["data"]] + ([newest] if newest else []), key=int, default=None
                )
                return found, {"since": since, "until": oldest, "newest": top}
            params = {
                key: value
                for key, value in {
                    "since_id": since,
                    "until_id": until,
                    "pagination_token": token,
                    "max_results": size,
                    "tweet_fields": TWEET_FIELDS,
                    "expansions": EXPANSIONS,
                    "media_fields": MEDIA_FIELDS,
                    "user_fields": USER_FIELDS,
                }.items()
                if value
            }
            page = self._call(endpoint, lambda p=params: fetch(**p))  # type: ignore[misc]
            found["data"] += page.get("data", [])
            found["users"] += (page.get("includes") or {}).get("users", [])
            found["media"] += (page.get("includes") or {}).get("media", [])
            budget.spend(len(page.get("data", [])))
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                break
        ids = [t["id"] for t in found["data"]] + [i for i in (newest, since) if i]
        return found, {"since": max(ids, key=int) if ids else None}

    def _check_watched(
        self, watched: list[list[Any]], captures: list[dict[str, Any]], budget: Budget
    ) -> tuple[list[list[Any]], list[dict[str, Any]]]:
        """Look the recent posts and replies up again: what X no longer finds was removed."""
        from civicsocial.platforms.capture import removal_line

        recent = (datetime.now(UTC) - timedelta(days=WATCH_DAYS)).timestamp()
        known = {entry[0]: entry for entry in watched if entry[3] >= recent}
        for line in captures:  # [item id, latest post id, kind, posted at]
            known[line["item_id"]] = [
                line["item_id"],
                line["raw"]["id"],
                line["kind"],
                datetime.fromisoformat(line["created_at"]).timestamp(),
            ]
        fresh = {line["item_id"] for line in captures}
        check = [entry for entry in known.values() if entry[0] not in fresh][-WATCH_MAX:]
        removed: list[dict[str, Any]] = []
        for start in range(0, len(check), 100):
            batch = check[start : start + 100]
            if budget.left is not None and budget.left < len(batch):
                budget.cut_short = True
                break
            ids = [entry[1] for entry in batch]
            answer = self._call("tweets", lambda i=ids: self._client.get_tweets(i, user_auth=False))  # type: ignore[misc]
            budget.spend(len(answer.get("data", [])))
            missing = {
                e.get("resource_id") for e in answer.get("errors", []) if e.get("title") == "Not Found Error"
            }
            for entry in batch:
                if entry[1] in missing:
                    removed.append(
                        removal_line(
                            self.platform,
                            self.handle,
                            entry[0],
                            entry[2],
                            {"lookup": [e for e in answer["errors"] if e.get("resource_id") == entry[1]]},
                        )
                    )
                    known.pop(entry[0])
        return sorted(known.values(), key=lambda e: e[3])[-WATCH_MAX:], removed

    def _item_id(self, tweet: dict[str, Any]) -> str:
        first = (tweet.get("edit_history_tweet_ids") or [tweet["id"]])[0]
        return f"x:{tweet.get('author_id', '')}/posts/{first}"

    def _line(
        self, tweet: dict[str, Any], users: dict[str, dict[str, Any]], media: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        mine = tweet.get("author_id") == self.me["id"]
        parent = next(
            (r["id"] for r in tweet.get("referenced_tweets", []) if r.get("type") == "replied_to"), ""
        )
        author = users.get(tweet.get("author_id", ""), {}).get("username", "")
        if parent:
            owner = tweet.get("in_reply_to_user_id", "")
            parent = f"x:{owner}/posts/{parent}"
        kind = ("reply" if parent else "post") if mine else "comment"
        keys = (tweet.get("attachments") or {}).get("media_keys", [])
        return {
            "platform": self.platform,
            "account": self.handle,
            "item_id": self._item_id(tweet),
            "kind": kind,
            "author": self.handle if mine else f"@{author or tweet.get('author_id', '?')}",
            "text": tweet["text"],
            "created_at": tweet.get("created_at", "1970-01-01T00:00:00Z").replace("Z", "+00:00"),
            "captured_at": datetime.now(UTC).isoformat(),
            "parent_id": parent,
            "url": f"https://x.com/i/status/{tweet['id']}",
            "language": tweet.get("lang", ""),
            "media": [
                image_entry(media[k].get("url") or media[k].get("preview_image_url", ""), self.timeout)
                for k in keys
                if k in media
            ],
            "raw": tweet,
        }

    def read_profile(self) -> dict[str, Any]:
        self._me = None
        me = self.me
        links = [
            u.get("expanded_url", "") for u in ((me.get("entities") or {}).get("url") or {}).get("urls", [])
        ]
        links = [link for link in links if link] or ([me["url"]] if me.get("url") else [])
        verified = bool(me.get("verified")) or me.get("verified_type") in ("blue", "business", "government")
        return profile_line(
            self.platform,
            self.handle,
            Profile(
                f"x:{me['id']}#profile",
                f"https://x.com/{me.get('username', '')}",
                me.get("name", ""),
                me.get("description", ""),
                links,
                verified,
                me.get("profile_image_url", ""),
                me.get("created_at", "1970-01-01T00:00:00Z").replace("Z", "+00:00"),
            ),
            {"user": me},
            self.timeout,
        )

    # Acting

    def publish(
        self, text: str, idempotency_key: str, reply_to: str = "", media: Sequence[MediaFile] = ()
    ) -> Published:
        raise NotSupported("posting to X goes through the city's scheduling vendor (P12)")

    def _post_id(self, item_id: str) -> str:
        return item_id.rsplit("/", 1)[-1]

    def hide(self, item_id: str) -> None:
        """Hide a reply to one of the account's posts (P22)."""
        self._call("hidden", lambda: self._client.hide_reply(self._post_id(item_id), user_auth=False))

    def unhide(self, item_id: str) -> None:
        self._call("hidden", lambda: self._client.unhide_reply(self._post_id(item_id), user_auth=False))

    def delete(self, item_id: str) -> None:
        if not item_id.startswith(f"x:{self.me['id']}/"):
            raise NotSupported("X lets an account delete only its own posts")
        self._call("delete", lambda: self._client.delete_tweet(self._post_id(item_id), user_auth=False))
