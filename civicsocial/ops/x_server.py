"""An X API v2 contract server for the tests and the demo. It follows X's published OpenAPI
document (api.x.com/2/openapi.json, read 2026-12-02 from a public copy) for the operations
Civic Social uses, and X's rate-limit and usage pages for the limits:

- `GET /2/users/me` (findMyUser), `GET /2/users/{id}/tweets` (usersIdTweets: `max_results`
  5 to 100, `since_id`, `until_id`, `pagination_token`), `GET /2/users/{id}/mentions`
  (usersIdMentions, the same), `GET /2/tweets?ids=` (findTweetsById: 1 to 100 ids; missing
  ones come back in `errors` as "Not Found Error"), `PUT /2/tweets/{id}/hidden` (hideReplyById:
  only the author of the conversation's first post), `DELETE /2/tweets/{id}` (deleteTweetById:
  only one's own), `GET /2/usage/tweets` (getUsageTweets: app-only Bearer token);
- `tweet.fields`, `expansions`, `media.fields` and `user.fields` values are checked against
  the document's enums; a wrong one is the document's 400 "Invalid Request" problem;
- `POST /2/oauth2/token` (the OAuth 2.0 refresh grant, client credentials in HTTP Basic):
  each refresh token works once and a new one comes back; access tokens last two hours;
- no, an unknown or an expired Bearer token: 401 problem; every answer carries `x-rate-limit-limit`,
  `-remaining` and `-reset` for its endpoint's 15-minute window; past the limit: 429;
- each post read counts toward the project's monthly cap (`project_usage` of `project_cap`,
  reset on `cap_reset_day`); at the cap: 429 "UsageCapExceeded";
- an edit makes a new post id; `edit_history_tweet_ids` lists them all, oldest first, and the
  timelines show the latest version.
"""

from __future__ import annotations

import base64
import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from civicsocial.ops.contract_server import ContractServer, Request, Response

TWEET_FIELDS = {
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "text",
    "withheld",
}
EXPANSIONS = {
    "article.cover_media",
    "article.media_entities",
    "attachments.media_keys",
    "attachments.media_source_tweet",
    "attachments.poll_ids",
    "author_id",
    "edit_history_tweet_ids",
    "entities.mentions.username",
    "geo.place_id",
    "in_reply_to_user_id",
    "entities.note.mentions.username",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
    "referenced_tweets.id.author_id",
    "pinned_tweet_id",
}
MEDIA_FIELDS = {
    "alt_text",
    "duration_ms",
    "height",
    "media_key",
    "non_public_metrics",
    "organic_metrics",
    "preview_image_url",
    "promoted_metrics",
    "public_metrics",
    "type",
    "url",
    "variants",
    "width",
}
USER_FIELDS = {
    "affiliation",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "location",
    "most_recent_tweet_id",
    "name",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_type",
    "withheld",
}
LISTS = {
    "tweet.fields": TWEET_FIELDS,
    "expansions": EXPANSIONS,
    "media.fields": MEDIA_FIELDS,
    "user.fields": USER_FIELDS,
}
WINDOW = 900  # seconds: X's rate limits are per 15 minutes
LIMITS = {
    "users/me": 75,
    "users/tweets": 900,
    "users/mentions": 300,
    "tweets": 900,
    "hidden": 50,
    "delete": 50,
    "usage": 50,
}


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> Response:
    return Response(
        status,
        {"title": title, "detail": detail, "type": kind, "status": status, **extra},
        content_type="application/problem+json",
    )


def invalid(parameter: str, value: str, message: str) -> Response:
    """The document's 400 for a parameter it does not allow."""
    return Response(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


@dataclass
class User:
    id: str
    username: str
    name: str
    description: str = ""
    url: str = ""
    verified_type: str = "none"
    picture: str = ""


@dataclass
class Post:
    id: str
    author: str
    text: str
    created: float
    conversation: str
    reply_to: str = ""  # the post answered
    history: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    hidden: bool = False
    deleted: bool = False
    latest: bool = True


class XContractServer(ContractServer):
    def __init__(self, project_cap: int = 2_000_000, limits: dict[str, int] | None = None) -> None:
        super().__init__()
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}  # user-context token -> user id
        self.app_token = "AAAA" + secrets.token_urlsafe(32)
        self.posts: dict[str, Post] = {}
        self.images: dict[str, tuple[bytes, str]] = {}
        self.project_cap: int | None = project_cap
        self.project_usage, self.cap_reset_day = 0, 19
        self.client_id, self.client_secret = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> user id (each works once)
        self.token_expiry: dict[str, float] = {}  # access token -> when it stops working
        self.limits = {**LIMITS, **(limits or {})}
        self.calls: dict[tuple[str, str], list[float]] = {}
        self._ids = itertools.count(1_860_000_000_000_000_000 + secrets.randbelow(10**15) * 1000, 1000)

    # What happens on the platform

    def add_user(
        self,
        username: str,
        name: str = "",
        description: str = "",
        url: str = "",
        verified_type: str = "none",
        picture: bytes = b"",
    ) -> tuple[str, str]:
        """A user and its OAuth 2.0 user-context access token."""
        user = User(str(next(self._ids)), username, name or username, description, url, verified_type)
        if picture:
            user.picture = self.image(picture)
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.users[user.id], self.tokens[token] = user, user.id
        return user.id, token

    def grant(self, user: str) -> str:
        """A refresh token for the user, as the OAuth 2.0 authorization (offline.access) gives."""
        token = secrets.token_urlsafe(32)
        self.refresh_tokens[token] = user
        return token

    def _oauth_token(self, request: Request) -> Response:
        """`POST /2/oauth2/token`, the refresh grant: a confidential client in HTTP Basic; the
        refresh token works once and a new one comes back; access tokens last two hours."""
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return Response(
                401,
                {"error": "unauthorized_client", "error_description": "Missing valid authorization header"},
            )
        form = request.form()
        user = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
        if form.get("grant_type") != "refresh_token" or user is None:
            return Response(
                400,
                {"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
            )
        access = secrets.token_urlsafe(32)
        self.tokens[access], self.token_expiry[access] = user, time.time() + 7200
        return Response(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": access,
                "scope": "tweet.read users.read tweet.moderate.write offline.access",
                "refresh_token": self.grant(user),
            },
        )

    def image(self, data: bytes, content_type: str = "image/png") -> str:
        key = f"{len(self.images)}{secrets.token_hex(4)}"
        self.images[key] = (data, content_type)
        return f"{self.url}/media/{key}.png"

    def post(self, author: str, text: str, reply_to: str = "", image: bytes = b"") -> str:
        """A post (or a reply to `reply_to`) by the user `author` (an id)."""
        with self.lock:
            post_id = str(next(self._ids))
            parent = self.posts.get(reply_to)
            self.posts[post_id] = Post(
                post_id,
                author,
                text,
                time.time(),
                parent.conversation if parent else post_id,
                reply_to,
                [post_id],
                [self.image(image)] if image else [],
            )
            return post_id

    def edit(self, post_id: str, text: str) -> str:
        """A new version of the post, with a new id (the old one stays readable by its id)."""
        with self.lock:
            old = self.posts[post_id]
            new_id = str(next(self._ids))
            self.posts[new_id] = Post(
                new_id,
                old.author,
                text,
                time.time(),
                old.conversation,
                old.reply_to,
                [*old.history, new_id],
                old.media,
            )
            old.latest = False
            for post in self.posts.values():
                if post.history[0] == old.history[0]:
                    post.history = self.posts[new_id].history
            return new_id

    def remove(self, post_id: str) -> None:
        with self.lock:
            first = self.posts[post_id].history[0]
            for post in self.posts.values():
                if post.history[0] == first:
                    post.deleted = True

    # The API

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/media/"):
            found = self.images.get(request.path[7:].removesuffix(".png"))
            return Response(200, found[0], content_type=found[1]) if found else Response(404, b"")
        parts = request.path.strip("/").split("/")
        if parts[:1] != ["2"]:
            return problem(404, "Not Found", "Sorry, that page does not exist.")
        if parts[1:] == ["oauth2", "token"] and request.method == "POST":
            return self._oauth_token(request)
        token = request.bearer()
        user = self.tokens.get(token)
        if token in self.token_expiry and self.token_expiry[token] < time.time():
            user = None
        if user is None and token != self.app_token:
            return problem(401, "Unauthorized", "Unauthorized")
        endpoint, answer = self._route(request, parts[1:], user)
        return self._rate_limited(token, endpoint, answer)

    def _rate_limited(self, token: str, endpoint: str, answer: Any) -> Response:
        now = time.time()
        calls = self.calls.setdefault((token, endpoint), [])
        calls[:] = [t for t in calls if now - t < WINDOW] + [now]
        limit = self.limits.get(endpoint, 900)
        reset = int((calls[0] if calls else now) + WINDOW)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - len(calls))),
            "x-rate-limit-reset": str(reset),
        }
        if len(calls) > limit:
            response = problem(429, "Too Many Requests", "Too Many Requests")
        else:
            response = answer() if callable(answer) else answer
        response.headers.update(headers)
        return response

    def _route(self, request: Request, parts: list[str], user: str | None) -> tuple[str, Any]:
        method, query = request.method, request.query
        needs_user = problem(
            403,
            "Unsupported Authentication",
            "Authenticating with OAuth 2.0 Application-Only "
            "is forbidden for this endpoint.  Supported authentication types are "
            "[OAuth 1.0a User Context, OAuth 2.0 User Context].",
            "https://api.twitter.com/2/problems/unsupported-authentication",
        )
        if parts == ["usage", "tweets"] and method == "GET":
            if user is not None:
                return "usage", problem(
                    403,
                    "Unsupported Authentication",
                    "Authenticating with OAuth 2.0 User "
                    "Context is forbidden for this endpoint.  Supported authentication types "
                    "are [OAuth 2.0 Application-Only].",
                    "https://api.twitter.com/2/problems/unsupported-authentication",
                )
            return "usage", Response(
                200,
                {
                    "data": {
                        "project_id": "1",
                        "project_usage": str(self.project_usage),
                        "cap_reset_day": self.cap_reset_day,
                    }
                    # The schema does not require the cap: None leaves it out.
                    | ({} if self.project_cap is None else {"project_cap": str(self.project_cap)})
                },
            )
        if user is None:
            return "users/me", needs_user
        if parts == ["users", "me"] and method == "GET":
            return "users/me", lambda: self._fields(query) or Response(200, {"data": self._user(user)})
        if len(parts) == 3 and parts[0] == "users" and parts[2] in ("tweets", "mentions") and method == "GET":
            return f"users/{parts[2]}", lambda: self._timeline(parts[1], parts[2], query)
        if parts == ["tweets"] and method == "GET":
            return "tweets", lambda: self._lookup(query)
        if len(parts) == 3 and parts[0] == "tweets" and parts[2] == "hidden" and method == "PUT":
            return "hidden", lambda: self._hide(parts[1], user, request.json())
        if len(parts) == 2 and parts[0] == "tweets" and method == "DELETE":
            return "delete", lambda: self._delete(parts[1], user)
        return "other", problem(404, "Not Found", "Sorry, that page does not exist.")

    def _fields(self, query: dict[str, str]) -> Response | None:
        for name, allowed in LISTS.items():
            for value in filter(None, query.get(name, "").split(",")):
                if value not in allowed:
                    return invalid(
                        name,
                        value,
                        f"The `{name}` query parameter value [{value}] is not one of "
                        f"[{','.join(sorted(allowed))}]",
                    )
        return None

    def _count(self, posts: list[Post]) -> Response | None:
        """Posts read count toward the monthly cap (refused whole at the cap)."""
        if self.project_cap is not None and self.project_usage + len(posts) > self.project_cap:
            return problem(
                429,
                "UsageCapExceeded",
                "Usage cap exceeded: Monthly product cap",
                "https://api.twitter.com/2/problems/usage-capped",
                period="Monthly",
                scope="Product",
            )
        self.project_usage += len(posts)
        return None

    def _timeline(self, user: str, which: str, query: dict[str, str]) -> Response:
        wrong = self._fields(query)
        if wrong is not None:
            return wrong
        if user not in self.users:
            return problem(
                404,
                "Not Found Error",
                f"Could not find user with id: [{user}].",
                "https://api.twitter.com/2/problems/resource-not-found",
            )
        try:
            size = int(query.get("max_results", "10"))
            start = int(query.get("pagination_token") or "0", 16)
        except ValueError:
            return invalid("pagination_token", query.get("pagination_token", ""), "Invalid pagination token")
        if not 5 <= size <= 100:
            return invalid(
                "max_results",
                str(size),
                f"The `max_results` query parameter value [{size}] is not between 5 and 100",
            )
        since, until = int(query.get("since_id") or 0), int(query.get("until_id") or 2**63)
        posts = [
            p
            for p in self.posts.values()
            if p.latest
            and not p.deleted
            and since < int(p.id) < until
            and (p.author == user if which == "tweets" else self._mentions(p, user))
        ]
        posts.sort(key=lambda p: int(p.id), reverse=True)
        page = posts[start : start + size]
        capped = self._count(page)
        if capped is not None:
            return capped
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if start + size < len(posts):
            meta["next_token"] = format(start + size, "x").rjust(16, "0")
        return Response(200, {**self._body(page, query), "meta": meta})

    def _mentions(self, post: Post, user: str) -> bool:
        """A reply to the user's post, or a post naming @username (and not the user's own)."""
        parent = self.posts.get(post.reply_to)
        named = f"@{self.users[user].username}".lower() in post.text.lower()
        return post.author != user and (named or (parent is not None and parent.author == user))

    def _lookup(self, query: dict[str, str]) -> Response:
        wrong = self._fields(query)
        if wrong is not None:
            return wrong
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return invalid(
                "ids",
                query.get("ids", ""),
                "The number of values in the `ids` query parameter list "
                f"[{len(ids)}] is not between 1 and 100",
            )
        found = [self.posts[i] for i in ids if i in self.posts and not self.posts[i].deleted]
        capped = self._count(found)
        if capped is not None:
            return capped
        body = self._body(found, query)
        missing = [i for i in ids if i not in {p.id for p in found}]
        if missing:
            body["errors"] = [
                {
                    "value": i,
                    "detail": f"Could not find tweet with ids: [{i}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "ids",
                    "resource_id": i,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
                for i in missing
            ]
        if not found:
            body.pop("data", None)
        return Response(200, body)

    def _hide(self, post_id: str, user: str, body: Any) -> Response:
        post = self.posts.get(post_id)
        if not isinstance(body, dict) or not isinstance(body.get("hidden"), bool):
            return invalid("hidden", str(body), "The `hidden` field is required and must be a boolean")
        if post is None or post.deleted:
            return problem(
                404,
                "Not Found Error",
                f"Could not find tweet with id: [{post_id}].",
                "https://api.twitter.com/2/problems/resource-not-found",
            )
        root = self.posts.get(post.conversation)
        if root is None or root.author != user or post.author == user:
            return problem(
                403, "Forbidden", "You cannot hide or unhide replies to conversations you do not own."
            )
        post.hidden = body["hidden"]
        return Response(200, {"data": {"hidden": post.hidden}})

    def _delete(self, post_id: str, user: str) -> Response:
        post = self.posts.get(post_id)
        if post is None or post.deleted:
            return problem(
                404,
                "Not Found Error",
                f"Could not find tweet with id: [{post_id}].",
                "https://api.twitter.com/2/problems/resource-not-found",
            )
        if post.author != user:
            return problem(403, "Forbidden", "You are not allowed to delete this Tweet.")
        self.remove(post_id)
        return Response(200, {"data": {"deleted": True}})

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.users[user_id]
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "description": user.description,
            "url": user.url,
            "verified": user.verified_type != "none",
            "verified_type": user.verified_type,
            "profile_image_url": user.picture,
            "created_at": "2012-03-01T12:00:00.000Z",
            "entities": {"url": {"urls": [{"expanded_url": user.url}]}} if user.url else {},
        }

    def _body(self, posts: list[Post], query: dict[str, str]) -> dict[str, Any]:
        expansions = set(filter(None, query.get("expansions", "").split(",")))
        data = [self._tweet(p) for p in posts]
        includes: dict[str, Any] = {}
        if "author_id" in expansions:
            includes["users"] = [self._user(u) for u in {p.author for p in posts}]
        if "attachments.media_keys" in expansions:
            includes["media"] = [
                {"media_key": f"3_{p.id}_{n}", "type": "photo", "url": url, "alt_text": ""}
                for p in posts
                for n, url in enumerate(p.media)
            ]
        return {"data": data, **({"includes": includes} if includes else {})}

    def _tweet(self, post: Post) -> dict[str, Any]:
        tweet: dict[str, Any] = {
            "id": post.id,
            "text": post.text,
            "edit_history_tweet_ids": post.history,
            "author_id": post.author,
            "created_at": datetime.fromtimestamp(post.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": post.conversation,
            "lang": "en",
            "edit_controls": {
                "edits_remaining": 5 - len(post.history) + 1,
                "is_edit_eligible": True,
                "editable_until": datetime.fromtimestamp(post.created + 3600, UTC).strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"
                ),
            },
        }
        if post.reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
            tweet["in_reply_to_user_id"] = self.posts[post.reply_to].author
        if post.media:
            tweet["attachments"] = {"media_keys": [f"3_{post.id}_{n}" for n in range(len(post.media))]}
        return tweet
