"""A YouTube Data API v3 contract server for the tests and the demo, built from the discovery
document that Google's client library ships (googleapiclient/discovery_cache/documents/
youtube.v3.json; its `revision` is in DISCOVERY_REVISION) and the API's quota and error pages:

- each request is matched to a method of the document by HTTP method and path; its query
  parameters are checked against the method's (and the document's global) parameters: unknown,
  missing required, wrong type, outside minimum and maximum, or not in the enum: 400 in
  Google's error envelope (`{"error": {"code", "message", "errors": [{"domain", "reason",
  "location"}], "status"}}`); each `part` must be a property of the resource's schema;
- calls need `Authorization: Bearer` with a token from `POST /token` (the OAuth 2.0 refresh
  grant, client id and secret checked); tokens expire after `token_lifetime` seconds: 401
  authError, which Google's library answers by refreshing;
- every call costs its documented quota units (a list 1, setModerationStatus 50, a caption
  download 200) from `daily_quota`; past it: 403 quotaExceeded;
- lists page with `pageToken` and `nextPageToken`; comment threads carry up to 5 replies and
  `totalReplyCount`, the rest come from comments.list with `parentId`; only published
  comments are listed unless `moderationStatus` asks otherwise; setModerationStatus answers
  204; a caption downloads only for the channel that owns the video (else 403 forbidden).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import googleapiclient

from civicsocial.ops.contract_server import ContractServer, Request, Response

DISCOVERY = os.path.join(
    os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents", "youtube.v3.json"
)
COST = {"setModerationStatus": 50, "download": 200}  # units; every other read costs 1
STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


def google_error(
    code: int, reason: str, message: str, domain: str = "youtube.parameter", location: str = ""
) -> Response:
    detail = {"message": message, "domain": domain, "reason": reason}
    if location:
        detail.update(location=location, locationType="parameter")
    return Response(
        code,
        {
            "error": {
                "code": code,
                "message": message,
                "errors": [detail],
                "status": STATUS.get(code, "UNKNOWN"),
            }
        },
    )


def _load() -> dict[str, Any]:
    with open(DISCOVERY, encoding="utf-8") as document:
        return dict(json.load(document))


DOCUMENT = _load()
DISCOVERY_REVISION = DOCUMENT["revision"]


def _methods() -> list[tuple[str, re.Pattern[str], str, dict[str, Any]]]:
    """(HTTP method, path pattern, method name, description) of every method in the document."""
    found = []
    for resource in DOCUMENT["resources"].values():
        for name, method in resource.get("methods", {}).items():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(method["path"]))
            found.append((method["httpMethod"], re.compile(f"^/{pattern}$"), name, method))
    return found


METHODS = _methods()


def _parts_of(method: dict[str, Any]) -> set[str]:
    """The resource's properties that `part` may name (from the schema the method answers with)."""
    schema = DOCUMENT["schemas"].get((method.get("response") or {}).get("$ref", ""), {})
    items = (schema.get("properties") or {}).get("items", {}).get("items", {}).get("$ref")
    properties = DOCUMENT["schemas"].get(items or "", {}).get("properties", {})
    return set(properties) - {"kind", "etag"}


def check_parameters(method: dict[str, Any], query: dict[str, str]) -> Response | None:
    """The document's rules for the method's parameters (None: the request is valid)."""
    allowed = {**DOCUMENT["parameters"], **method.get("parameters", {})}
    for name, value in query.items():
        spec = allowed.get(name)
        if spec is None:
            return google_error(400, "unknownParameter", f"Unknown parameter: '{name}'", location=name)
        if spec.get("type") == "integer":
            if not value.lstrip("-").isdigit():
                return google_error(
                    400, "invalidParameter", f"Invalid value '{value}' for {name}", location=name
                )
            low, high = spec.get("minimum"), spec.get("maximum")
            if (low is not None and int(value) < int(low)) or (high is not None and int(value) > int(high)):
                return google_error(
                    400,
                    "invalidParameter",
                    f"Invalid value '{value}' for {name}: must be between {low} and {high}",
                    location=name,
                )
        if spec.get("type") == "boolean" and value not in ("true", "false"):
            return google_error(400, "invalidParameter", f"Invalid boolean value '{value}'", location=name)
        if spec.get("enum") and value not in spec["enum"]:
            return google_error(400, "invalidParameter", f"Invalid value '{value}' for {name}", location=name)
    for name, spec in method.get("parameters", {}).items():
        if spec.get("required") and spec.get("location") == "query" and not query.get(name):
            return google_error(
                400, "required", f"Required parameter: {name}", domain="global", location=name
            )
    parts = _parts_of(method)
    for part in filter(None, query.get("part", "").split(",")):
        if parts and part not in parts:
            return google_error(400, "unknownPart", f"'{part}'", location="part")
    return None


@dataclass
class Channel:
    id: str
    title: str
    description: str
    custom_url: str
    thumbnail: str
    refresh_token: str


@dataclass
class Video:
    id: str
    channel: str
    title: str
    description: str
    published: float
    thumbnail: str
    captions: dict[str, tuple[str, str, float]] = field(
        default_factory=dict
    )  # id -> (language, text, updated)
    deleted: bool = False


@dataclass
class Comment:
    id: str
    video: str
    author: str
    author_channel: str
    text: str
    published: float
    parent: str = ""  # the thread's top comment, for a reply
    status: str = "published"
    deleted: bool = False
    updated: float = 0.0


def _rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class YouTubeContractServer(ContractServer):
    def __init__(self, daily_quota: int = 10_000, token_lifetime: int = 3599) -> None:
        super().__init__()
        self.client_id = f"{secrets.randbelow(10**12)}-civicsocial.apps.googleusercontent.com"
        self.client_secret = "GOCSPX-" + secrets.token_urlsafe(20)
        self.daily_quota, self.quota_used, self.token_lifetime = daily_quota, 0, token_lifetime
        self.channels: dict[str, Channel] = {}
        self.videos: dict[str, Video] = {}
        self.comments: dict[str, Comment] = {}
        self.access: dict[str, tuple[str, float]] = {}  # token -> (channel, expires)
        self.images: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}{secrets.token_urlsafe(8)}".replace("-", "x")[:24]

    # What happens on the platform

    def image(self, data: bytes) -> str:
        key = secrets.token_hex(6)
        self.images[key] = data
        return f"{self.url}/vi/{key}/hqdefault.jpg"

    def add_channel(
        self, title: str, description: str = "", custom_url: str = "", thumbnail: bytes = b""
    ) -> tuple[str, dict[str, str]]:
        """A channel and its authorized-user credentials (what the account's owner grants)."""
        channel = Channel(
            "UC" + self._id("")[:22],
            title,
            description,
            custom_url,
            self.image(thumbnail) if thumbnail else "",
            secrets.token_urlsafe(24),
        )
        with self.lock:
            self.channels[channel.id] = channel
        return channel.id, {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": channel.refresh_token,
            "token_uri": f"{self.url}/token",
        }

    def upload(
        self,
        channel: str,
        title: str,
        description: str = "",
        thumbnail: bytes = b"",
        captions: dict[str, str] | None = None,
    ) -> str:
        video = Video(
            self._id("v")[:11],
            channel,
            title,
            description,
            time.time(),
            self.image(thumbnail) if thumbnail else "",
        )
        for language, text in (captions or {}).items():
            video.captions[self._id("AUie")] = (language, text, time.time())
        with self.lock:
            self.videos[video.id] = video
        return video.id

    def comment(self, video: str, author: str, text: str, reply_to: str = "") -> str:
        """A comment on a video, or a reply to a thread's top comment (a channel id as `author`
        is the channel answering)."""
        owner = self.channels.get(author)
        found = Comment(
            self._id("Ug"),
            video,
            owner.title if owner else author,
            author if owner else "UC" + self._id("")[:22],
            text,
            time.time(),
            parent=reply_to,
        )
        if reply_to:
            found.id = f"{reply_to}.{self._id('')[:12]}"
        with self.lock:
            self.comments[found.id] = found
        return found.id

    def edit(self, item: str, text: str) -> None:
        with self.lock:
            if item in self.videos:
                self.videos[item].title = text
            else:
                self.comments[item].text, self.comments[item].updated = text, time.time()

    def remove(self, item: str) -> None:
        with self.lock:
            target = self.videos.get(item) or self.comments[item]
            target.deleted = True

    # The API

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/vi/"):
            data = self.images.get(request.path.split("/")[2])
            return Response(200, data, content_type="image/jpeg") if data else Response(404, b"")
        if request.path == "/token" and request.method == "POST":
            return self._token(request.form())
        for http_method, pattern, name, method in METHODS:
            match = pattern.match(request.path)
            if match and http_method == request.method:
                return self._call(request, name, method, match.groupdict())
        return google_error(404, "notFound", "Not Found", domain="global")

    def _token(self, form: dict[str, str]) -> Response:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Response(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        channel = next(
            (c for c in self.channels.values() if c.refresh_token == form.get("refresh_token")), None
        )
        if form.get("grant_type") != "refresh_token" or channel is None:
            return Response(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        token = "ya29." + secrets.token_urlsafe(32)
        self.access[token] = (channel.id, time.time() + self.token_lifetime)
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": self.token_lifetime,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
            },
        )

    def _call(self, request: Request, name: str, method: dict[str, Any], path: dict[str, str]) -> Response:
        granted = self.access.get(request.bearer())
        if granted is None or granted[1] < time.time():
            return Response(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication "
                        "credentials. Expected OAuth 2 access token.",
                        "errors": [
                            {
                                "message": "Invalid Credentials",
                                "domain": "global",
                                "reason": "authError",
                                "location": "Authorization",
                                "locationType": "header",
                            }
                        ],
                        "status": "UNAUTHENTICATED",
                    }
                },
            )
        wrong = check_parameters(method, request.query)
        if wrong is not None:
            return wrong
        cost = COST.get(name, 1)
        if self.quota_used + cost > self.daily_quota:
            return google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have "
                'exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
                domain="youtube.quota",
            )
        self.quota_used += cost
        handler = getattr(self, f"_{method['id'].split('.', 1)[1].replace('.', '_')}", None)
        if handler is None:
            return google_error(400, "notSupported", f"{method['id']} is not served here", domain="global")
        return handler(request.query, granted[0], path)

    def _page(self, kind: str, items: list[dict[str, Any]], query: dict[str, str], default: int) -> Response:
        size = int(query.get("maxResults") or default)
        start = int(base64.urlsafe_b64decode(query["pageToken"]).decode()) if query.get("pageToken") else 0
        body: dict[str, Any] = {
            "kind": kind,
            "etag": secrets.token_urlsafe(8),
            "items": items[start : start + size],
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
        }
        if start + size < len(items):
            body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return Response(200, body)

    def _channels_list(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        found = (
            self.channels[channel] if query.get("mine") == "true" else self.channels.get(query.get("id", ""))
        )
        items = (
            []
            if found is None
            else [
                {
                    "kind": "youtube#channel",
                    "etag": secrets.token_urlsafe(8),
                    "id": found.id,
                    "snippet": {
                        "title": found.title,
                        "description": found.description,
                        "customUrl": found.custom_url,
                        "publishedAt": "2014-05-01T12:00:00Z",
                        "thumbnails": {"high": {"url": found.thumbnail, "width": 800, "height": 800}},
                    },
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU" + found.id[2:], "likes": ""}},
                    "brandingSettings": {"channel": {"title": found.title, "description": found.description}},
                    "status": {"privacyStatus": "public", "isLinked": True},
                }
            ]
        )
        return self._page("youtube#channelListResponse", items, query, 5)

    def _playlistItems_list(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        owner = "UC" + query.get("playlistId", "")[2:]
        videos = sorted(
            (v for v in self.videos.values() if v.channel == owner and not v.deleted),
            key=lambda v: v.published,
            reverse=True,
        )
        items = [
            {
                "kind": "youtube#playlistItem",
                "etag": secrets.token_urlsafe(8),
                "id": f"PLI{v.id}",
                "snippet": {
                    "publishedAt": _rfc3339(v.published),
                    "channelId": v.channel,
                    "title": v.title,
                    "description": v.description,
                    "playlistId": query["playlistId"],
                    "position": n,
                    "resourceId": {"kind": "youtube#video", "videoId": v.id},
                },
                "contentDetails": {"videoId": v.id, "videoPublishedAt": _rfc3339(v.published)},
            }
            for n, v in enumerate(videos)
        ]
        return self._page("youtube#playlistItemListResponse", items, query, 5)

    def _videos_list(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        ids = query.get("id", "").split(",")
        items = [
            {
                "kind": "youtube#video",
                "etag": secrets.token_urlsafe(8),
                "id": v.id,
                "snippet": {
                    "publishedAt": _rfc3339(v.published),
                    "channelId": v.channel,
                    "title": v.title,
                    "description": v.description,
                    "categoryId": "25",
                    "thumbnails": {"high": {"url": v.thumbnail, "width": 480, "height": 360}}
                    if v.thumbnail
                    else {},
                },
                "contentDetails": {"duration": "PT2M10S", "caption": "true" if v.captions else "false"},
                "status": {"privacyStatus": "public", "uploadStatus": "processed"},
            }
            for v in (self.videos.get(i) for i in ids)
            if v is not None and not v.deleted
        ]
        return self._page("youtube#videoListResponse", items, query, 5)

    def _comment(self, c: Comment) -> dict[str, Any]:
        return {
            "kind": "youtube#comment",
            "etag": secrets.token_urlsafe(8),
            "id": c.id,
            "snippet": {
                "channelId": self.videos[c.video].channel,
                "videoId": c.video,
                "textDisplay": c.text,
                "textOriginal": c.text,
                "authorDisplayName": c.author,
                "authorChannelId": {"value": c.author_channel},
                "authorChannelUrl": f"http://www.youtube.com/channel/{c.author_channel}",
                "canRate": True,
                "viewerRating": "none",
                "likeCount": 0,
                "publishedAt": _rfc3339(c.published),
                "updatedAt": _rfc3339(c.updated or c.published),
                **({"parentId": c.parent} if c.parent else {}),
            },
        }

    def _listed(self, c: Comment, query: dict[str, str]) -> bool:
        return not c.deleted and c.status == query.get("moderationStatus", "published")

    def _commentThreads_list(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        tops = sorted(
            (
                c
                for c in self.comments.values()
                if c.video == query.get("videoId") and not c.parent and self._listed(c, query)
            ),
            key=lambda c: c.published,
            reverse=True,
        )
        items = []
        for top in tops:
            replies = [
                self._comment(r)
                for r in sorted(self.comments.values(), key=lambda r: r.published)
                if r.parent == top.id and not r.deleted and r.status == "published"
            ]
            thread: dict[str, Any] = {
                "kind": "youtube#commentThread",
                "etag": secrets.token_urlsafe(8),
                "id": top.id,
                "snippet": {
                    "channelId": self.videos[top.video].channel,
                    "videoId": top.video,
                    "topLevelComment": self._comment(top),
                    "canReply": True,
                    "totalReplyCount": len(replies),
                    "isPublic": True,
                },
            }
            if replies and "replies" in query.get("part", ""):
                thread["replies"] = {"comments": replies[:5]}
            items.append(thread)
        return self._page("youtube#commentThreadListResponse", items, query, 20)

    def _comments_list(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        replies = [
            self._comment(r)
            for r in sorted(self.comments.values(), key=lambda r: r.published)
            if r.parent == query.get("parentId") and not r.deleted and r.status == "published"
        ]
        return self._page("youtube#commentListResponse", replies, query, 20)

    def _comments_setModerationStatus(
        self, query: dict[str, str], channel: str, path: dict[str, str]
    ) -> Response:
        for comment_id in query["id"].split(","):
            comment = self.comments.get(comment_id)
            if comment is None or comment.deleted:
                return google_error(
                    404, "commentNotFound", "The comment could not be found.", domain="youtube.comment"
                )
            if self.videos[comment.video].channel != channel:
                return google_error(
                    403,
                    "forbidden",
                    "The comment could not be moderated: the channel does not own the video.",
                    domain="youtube.comment",
                )
            comment.status = query["moderationStatus"]
        return Response(204, b"")

    def _captions_list(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        video = self.videos.get(query["videoId"])
        if video is None:
            return google_error(
                404, "videoNotFound", "The video could not be found.", domain="youtube.caption"
            )
        items = [
            {
                "kind": "youtube#caption",
                "etag": secrets.token_urlsafe(8),
                "id": cid,
                "snippet": {
                    "videoId": video.id,
                    "language": lang,
                    "name": "",
                    "trackKind": "standard",
                    "lastUpdated": _rfc3339(updated),
                    "status": "serving",
                },
            }
            for cid, (lang, _, updated) in video.captions.items()
        ]
        return Response(
            200, {"kind": "youtube#captionListResponse", "etag": secrets.token_urlsafe(8), "items": items}
        )

    def _captions_download(self, query: dict[str, str], channel: str, path: dict[str, str]) -> Response:
        video = next((v for v in self.videos.values() if path["id"] in v.captions), None)
        if video is None:
            return google_error(
                404, "captionNotFound", "The caption track could not be found.", domain="youtube.caption"
            )
        if video.channel != channel:
            return google_error(
                403,
                "forbidden",
                "The permissions associated with the request are not sufficient "
                "to download the caption track.",
                domain="youtube.caption",
            )
        text = video.captions[path["id"]][1]
        return Response(
            200, f"1\n00:00:00,000 --> 00:00:05,000\n{text}\n".encode(), content_type="text/plain"
        )
