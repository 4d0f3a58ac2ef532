"""A Graph API contract server (Facebook Pages and Instagram professional accounts) for the
tests and the demo. Meta publishes no machine-readable description of the Graph API, so this
follows its reference pages and their request and response examples (developers.facebook.com
/docs/graph-api: Page, Page Post, Comment, Paging, Handling Errors, Rate Limiting, Debug Token,
Webhooks; /docs/instagram-platform: IG User, IG Media, IG Comment; version v21.0; read
2026-12-02 from the pages as archived):

- every call needs a token (`access_token` parameter or `Authorization: Bearer`): none or a
  wrong one is error 190 (OAuthException); an expired one 190 with subcode 463;
- `fields` names are checked against the node type's documented fields: an unknown one is
  error 100 ("Tried accessing nonexisting field"); an unknown or deleted object is 100/33;
- edges (`/{page}/posts`, `/{post}/comments`, `/{ig-user}/media`, `/{ig-media}/comments`,
  `/{ig-comment}/replies`) page with cursors: `paging.cursors.after` and `paging.next`
  (absent on the last page); `limit` at most 100;
- more than `calls_per_hour` calls with one token: error 32 (page) or 4 (Instagram) with the
  `X-Business-Use-Case-Usage` header's `estimated_time_to_regain_access` (minutes);
- `POST /{comment}` with `is_hidden` (Facebook) or `hide` (Instagram) hides a comment;
  `DELETE /{comment}` deletes one; both answer `{"success": true}`;
- `GET /debug_token?input_token=` gives the token's `expires_at` and `data_access_expires_at`;
- Webhooks: `subscribe` makes the verification request (`hub.mode=subscribe`,
  `hub.challenge`, `hub.verify_token`) and expects the challenge back; each change is then
  POSTed as the documented `{"object", "entry": [{"id", "time", "changes"}]}` with
  `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the app secret>`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from civicsocial.ops.contract_server import ContractServer, Request, Response

VERSION = "v21.0"
MAX_LIMIT = 100
FIELDS = {  # the documented fields of each node type that a reader may ask for
    "page": {"id", "name", "about", "description", "link", "website", "picture", "verification_status",
             "fan_count", "category", "emails", "phone", "username", "instagram_business_account"},
    "post": {"id", "message", "created_time", "updated_time", "permalink_url", "full_picture",
             "attachments", "is_hidden", "from", "status_type", "story"},
    "comment": {"id", "message", "from", "created_time", "parent", "is_hidden", "permalink_url",
                "attachment", "can_hide", "can_remove", "comment_count", "like_count"},
    "ig_user": {"id", "username", "name", "biography", "website", "profile_picture_url",
                "followers_count", "media_count"},
    "ig_media": {"id", "caption", "media_type", "media_url", "permalink", "timestamp", "thumbnail_url",
                 "username", "comments_count", "like_count", "is_comment_enabled", "media_product_type"},
    "ig_comment": {"id", "text", "username", "from", "timestamp", "hidden", "like_count", "parent_id",
                   "media", "replies"},
}
EDGES = {("page", "posts"): "post", ("page", "feed"): "post", ("post", "comments"): "comment",
         ("comment", "comments"): "comment", ("ig_user", "media"): "ig_media",
         ("ig_media", "comments"): "ig_comment", ("ig_comment", "replies"): "ig_comment"}


def graph_time(moment: float) -> str:
    """Graph API time: 2026-12-02T10:00:00+0000."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def error(code: int, message: str, subcode: int | None = None, status: int = 400,
          kind: str = "OAuthException", headers: dict[str, str] | None = None) -> Response:
    """The documented error envelope."""
    body: dict[str, Any] = {"message": message, "type": kind, "code": code,
                            "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode is not None:
        body["error_subcode"] = subcode
    return Response(status, {"error": body}, headers or {})


def requested_fields(value: str) -> list[str]:
    """Top-level names of a `fields` value such as `id,from{id,name},attachments{media}`."""
    names, depth, current = [], 0, ""
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current.strip())
            current = ""
            continue
        if depth == 0 and char != "}":
            current += char
    names.append(current.strip())
    return [name.split(".")[0] for name in names if name]


@dataclass
class Token:
    page: str
    expires_at: int  # 0: never
    calls: list[float] = field(default_factory=list)


class GraphContractServer(ContractServer):
    def __init__(self, calls_per_hour: int = 4800) -> None:
        super().__init__()
        self.app_id = str(10**15 + secrets.randbelow(10**14))
        self.app_secret = secrets.token_hex(16)
        self.calls_per_hour = calls_per_hour
        self.objects: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, Token] = {}
        self.images: dict[str, tuple[bytes, str]] = {}
        self.subscription: tuple[str, str] | None = None  # (callback URL, verify token)
        self._ids = itertools.count(10**14 + secrets.randbelow(10**13))
        self._clock = itertools.count(int(time.time()) - 86400)

    # What happens on the platform (tests and the demo call these)

    def _new(self, kind: str, **fields: Any) -> str:
        with self.lock:
            object_id = str(next(self._ids))
            self.objects[object_id] = {"type": kind, "id": object_id, "deleted": False,
                                       "hidden": False, "created": time.time(), **fields}
            return object_id

    def image(self, data: bytes, content_type: str = "image/png") -> str:
        """The address the platform serves an image at (its CDN)."""
        key = hashlib.sha256(data).hexdigest()[:24]
        self.images[key] = (data, content_type)
        return f"{self.url}/cdn/{key}"

    def add_page(self, name: str, about: str = "", website: str = "", verified: bool = False,
                 picture: bytes = b"", token_days: float = 60) -> tuple[str, str]:
        """A Page and its Page access token (expiring in `token_days`; 0: never)."""
        page = self._new("page", name=name, about=about, website=website, verified=verified,
                         picture=self.image(picture) if picture else "")
        token = "EAAG" + secrets.token_urlsafe(32)
        self.tokens[token] = Token(page, int(time.time() + token_days * 86400) if token_days else 0)
        return page, token

    def add_instagram(self, page: str, username: str, name: str = "", biography: str = "",
                      website: str = "", picture: bytes = b"") -> str:
        """An Instagram professional account linked to the Page (read with the Page's token)."""
        user = self._new("ig_user", page=page, username=username, name=name, biography=biography,
                         website=website, picture=self.image(picture) if picture else "")
        self.objects[page]["instagram"] = user
        return user

    def post(self, page: str, message: str, image: bytes = b"") -> str:
        """The Page posts (on Instagram: `media`)."""
        return self._new("post", owner=page, message=message, picture=self.image(image) if image else "")

    def media(self, user: str, caption: str, image: bytes) -> str:
        return self._new("ig_media", owner=user, message=caption, picture=self.image(image))

    def comment(self, on: str, author: str, message: str) -> str:
        """Someone (a name, or the Page's id) comments on a post or media, or replies to a
        comment; a Webhooks subscriber is told."""
        parent = self.objects[on]
        ig = parent["type"].startswith("ig_")
        root = parent.get("root", on) if parent["type"] in ("comment", "ig_comment") else on
        author_id = author if author in self.objects else str(abs(hash(author)) % 10**12)
        comment = self._new("ig_comment" if ig else "comment", owner=author_id, author=author,
                            message=message, parent=on if root != on else "", root=root)
        self.objects[root]["updated"] = time.time()  # a comment moves the post's updated_time
        self._notify(comment)
        return comment

    def edit(self, object_id: str, message: str) -> None:
        with self.lock:
            self.objects[object_id].update(message=message, updated=time.time())

    def remove(self, object_id: str) -> None:
        """Removed on the platform (by its author, or by the platform)."""
        with self.lock:
            self.objects[object_id]["deleted"] = True

    def expire(self, token: str) -> None:
        self.tokens[token].expires_at = int(time.time()) - 1

    # Webhooks

    def subscribe(self, callback: str, verify_token: str) -> None:
        """The verification request; the subscription holds only if the challenge comes back."""
        challenge = secrets.token_hex(8)
        query = urlencode({"hub.mode": "subscribe", "hub.challenge": challenge,
                           "hub.verify_token": verify_token})
        with urllib.request.urlopen(f"{callback}?{query}", timeout=10) as answer:  # noqa: S310 - loopback
            if answer.read().decode() != challenge:
                raise ValueError("the callback did not answer the challenge")
        self.subscription = (callback, verify_token)

    def delivery(self, comment: str) -> tuple[bytes, dict[str, str]]:
        """The signed Webhooks notification of a new comment: body and headers."""
        item = self.objects[comment]
        if item["type"] == "ig_comment":
            user = self.objects[item["root"]]["owner"]
            entry = {"id": user, "time": int(time.time()), "changes": [{"field": "comments", "value": {
                "id": comment, "text": item["message"],
                "from": {"id": item["owner"], "username": item["author"]},
                "media": {"id": item["root"], "media_product_type": "FEED"}}}]}
            body = {"object": "instagram", "entry": [entry]}
        else:
            page = self.objects[item["root"]]["owner"]
            entry = {"id": page, "time": int(time.time()), "changes": [{"field": "feed", "value": {
                "item": "comment", "verb": "add", "comment_id": comment, "post_id": item["root"],
                "parent_id": item["parent"] or item["root"], "message": item["message"],
                "from": {"id": item["owner"], "name": item["author"]},
                "created_time": int(item["created"])}}]}
            body = {"object": "page", "entry": [entry]}
        data = json.dumps(body).encode()
        signature = hmac.new(self.app_secret.encode(), data, hashlib.sha256).hexdigest()
        return data, {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}

    def _notify(self, comment: str) -> None:
        if self.subscription is None:
            return
        data, headers = self.delivery(comment)
        request = urllib.request.Request(self.subscription[0], data=data, headers=headers,  # noqa: S310
                                         method="POST")
        with contextlib.suppress(OSError):  # Meta retries later; polling catches it in any case
            urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - loopback

    # The API

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/cdn/"):
            image = self.images.get(request.path[5:])
            return Response(200, image[0], content_type=image[1]) if image else Response(404, b"")
        parts = request.path.strip("/").split("/")
        if not parts or parts[0] != VERSION:
            return error(2500, "Unknown path components: " + request.path, kind="OAuthException")
        params = {**request.query, **request.form()} if request.method == "POST" else request.query
        token = params.get("access_token") or request.bearer()
        if parts[1:] == ["debug_token"]:
            return self._debug_token(params.get("input_token", ""), token)
        found = self.tokens.get(token)
        if found is None:
            return error(190, "Invalid OAuth access token - Cannot parse access token")
        if found.expires_at and found.expires_at < time.time():
            return error(190, "Error validating access token: Session has expired", subcode=463)
        throttled = self._throttle(found, request.path)
        if throttled is not None:
            return throttled
        return self._route(request.method, parts[1:], params, found)

    def _throttle(self, token: Token, path: str) -> Response | None:
        now = time.time()
        token.calls = [t for t in token.calls if now - t < 3600] + [now]
        if len(token.calls) <= self.calls_per_hour:
            return None
        minutes = max(1, int((token.calls[0] + 3600 - now) / 60))
        ig = self.objects.get(path.strip("/").split("/")[1], {}).get("type", "").startswith("ig_")
        usage = json.dumps({token.page: [{"type": "instagram" if ig else "pages", "call_count": 100,
                                          "total_cputime": 20, "total_time": 30,
                                          "estimated_time_to_regain_access": minutes}]})
        if ig:
            return error(4, "Application request limit reached", headers={"X-Business-Use-Case-Usage": usage})
        return error(32, "Page request limit reached", headers={"X-Business-Use-Case-Usage": usage})

    def _debug_token(self, input_token: str, token: str) -> Response:
        if token not in self.tokens and token != f"{self.app_id}|{self.app_secret}":
            return error(190, "Invalid OAuth access token - Cannot parse access token")
        found = self.tokens.get(input_token)
        if found is None:
            return Response(200, {"data": {"is_valid": False, "error": {
                "code": 190, "message": "Invalid OAuth access token"}}})
        return Response(200, {"data": {
            "app_id": self.app_id, "type": "PAGE", "application": "Civic Social", "profile_id": found.page,
            "is_valid": not found.expires_at or found.expires_at > time.time(),
            "expires_at": found.expires_at,
            "data_access_expires_at": found.expires_at and found.expires_at + 86400 * 30,
            "scopes": ["pages_read_engagement", "pages_manage_engagement", "pages_read_user_content",
                       "instagram_basic", "instagram_manage_comments"]}})

    def _visible(self, object_id: str, token: Token) -> dict[str, Any] | None:
        """The object, if it exists and the token's Page may read it."""
        item = self.objects.get(object_id)
        if item is None or item["deleted"]:
            return None
        owner = item
        while owner["type"] not in ("page", "ig_user"):
            owner = self.objects[owner.get("root") or owner["owner"]]
        page = owner["id"] if owner["type"] == "page" else owner["page"]
        return item if page == token.page else None

    def _route(self, method: str, parts: list[str], params: dict[str, str], token: Token) -> Response:
        missing = error(100, f"Unsupported {method.lower()} request. Object with ID '{parts[0]}' does not "
                             "exist, cannot be loaded due to missing permissions, or does not support this "
                             "operation", subcode=33)
        if parts and parts[0] == "me":  # a Page token's /me is the Page
            parts = [token.page, *parts[1:]]
        item = self._visible(parts[0], token) if parts else None
        if item is None:
            return missing
        if method == "GET" and len(parts) == 1:
            return self._read(item, params)
        if method == "GET" and len(parts) == 2 and (item["type"], parts[1]) in EDGES:
            return self._edge(item, parts[1], params, token)
        if len(parts) == 1 and item["type"] in ("comment", "ig_comment") and method in ("POST", "DELETE"):
            return self._moderate(item, method, params)
        return missing

    def _fields(self, kind: str, params: dict[str, str]) -> list[str] | Response:
        names = requested_fields(params.get("fields", "")) or ["id"]
        unknown = [name for name in names if name not in FIELDS[kind]]
        if unknown:
            node = {"ig_user": "IGUser", "ig_media": "IGMedia", "ig_comment": "IGComment"}.get(
                kind, kind.title())
            return error(100, f"(#100) Tried accessing nonexisting field ({unknown[0]}) "
                              f"on node type ({node})")
        return names

    def _read(self, item: dict[str, Any], params: dict[str, str]) -> Response:
        names = self._fields(item["type"], params)
        if isinstance(names, Response):
            return names
        shape = self._shape(item)
        return Response(200, {name: shape[name] for name in ["id", *names] if name in shape})

    def _edge(self, item: dict[str, Any], edge: str, params: dict[str, str], token: Token) -> Response:
        kind = EDGES[(item["type"], edge)]
        names = self._fields(kind, params)
        if isinstance(names, Response):
            return names
        try:
            limit = int(params.get("limit", "25"))
            start = int(base64.urlsafe_b64decode(params["after"]).decode()) if params.get("after") else 0
        except ValueError:
            return error(100, "(#100) Invalid parameter")
        if not 0 < limit <= MAX_LIMIT:
            return error(100, f"(#100) The limit parameter must be between 1 and {MAX_LIMIT}")
        with self.lock:
            children = [o for o in self.objects.values() if o["type"] == kind and not o["deleted"]
                        and self._belongs(o, item, edge, params)]
        children.sort(key=lambda o: o["created"], reverse=kind in ("post", "ig_media"))
        page = children[start:start + limit]
        body: dict[str, Any] = {"data": [{n: self._shape(o)[n] for n in ["id", *names] if n in self._shape(o)}
                                         for o in page]}
        if page:
            after = base64.urlsafe_b64encode(str(start + len(page)).encode()).decode()
            body["paging"] = {"cursors": {"before": base64.urlsafe_b64encode(str(start).encode()).decode(),
                                          "after": after}}
            if start + len(page) < len(children):
                query = {**params, "after": after}
                query.pop("access_token", None)
                body["paging"]["next"] = f"{self.url}/{VERSION}/{item['id']}/{edge}?{urlencode(query)}"
        return Response(200, body)

    def _belongs(self, child: dict[str, Any], item: dict[str, Any], edge: str,
                 params: dict[str, str]) -> bool:
        if child["type"] in ("post", "ig_media"):
            return bool(child["owner"] == item["id"])
        if item["type"] in ("post", "ig_media"):  # comments: top level, or all with filter=stream
            return bool(child["root"] == item["id"]
                        and (params.get("filter") == "stream" or not child["parent"]))
        return bool(child["parent"] == item["id"])

    def _moderate(self, item: dict[str, Any], method: str, params: dict[str, str]) -> Response:
        if method == "DELETE":
            item["deleted"] = True
            return Response(200, {"success": True})
        flag = params.get("hide" if item["type"] == "ig_comment" else "is_hidden", "")
        if flag not in ("true", "false"):
            return error(100, "(#100) The parameter is_hidden is required" if item["type"] == "comment"
                         else "(#100) The parameter hide is required")
        if item["owner"] in self.objects:  # a Page cannot hide its own comment
            return error(100, "(#100) Cannot hide a comment made by the Page")
        item["hidden"] = flag == "true"
        return Response(200, {"success": True})

    def _shape(self, item: dict[str, Any]) -> dict[str, Any]:
        """The object as the documented fields show it."""
        created = graph_time(item["created"])
        updated = graph_time(item.get("updated", item["created"]))
        kind = item["type"]
        if kind == "page":
            return {"id": item["id"], "name": item["name"], "about": item["about"],
                    "website": item["website"],
                    "link": f"https://www.facebook.com/{item['id']}", "category": "Government Organization",
                    "verification_status": "blue_verified" if item["verified"] else "not_verified",
                    "fan_count": 1200, "picture": {"data": {"url": item["picture"], "is_silhouette":
                                                            not item["picture"], "height": 50, "width": 50}},
                    "instagram_business_account":
                        {"id": item["instagram"]} if item.get("instagram") else None}
        if kind == "ig_user":
            return {"id": item["id"], "username": item["username"], "name": item["name"],
                    "biography": item["biography"], "website": item["website"],
                    "profile_picture_url": item["picture"], "followers_count": 800,
                    "media_count": sum(1 for o in self.objects.values() if o.get("owner") == item["id"])}
        if kind == "post":
            shape = {"id": item["id"], "message": item["message"], "created_time": created,
                     "updated_time": updated,
                     "permalink_url": f"https://www.facebook.com/{item['id']}", "is_hidden": False,
                     "from": {"id": item["owner"], "name": self.objects[item["owner"]]["name"]},
                     "status_type": "added_photos" if item["picture"] else "mobile_status_update"}
            if item["picture"]:
                shape["full_picture"] = item["picture"]
                shape["attachments"] = {"data": [{"media_type": "photo", "url": shape["permalink_url"],
                                                  "media": {"image": {"src": item["picture"], "height": 720,
                                                                      "width": 720}}}]}
            return shape
        if kind == "ig_media":
            return {"id": item["id"], "caption": item["message"], "media_type": "IMAGE",
                    "media_url": item["picture"], "permalink": f"https://www.instagram.com/p/{item['id']}/",
                    "timestamp": created, "username": self.objects[item["owner"]]["username"],
                    "comments_count": 0, "like_count": 3, "is_comment_enabled": True,
                    "media_product_type": "FEED"}
        author = self.objects.get(item["owner"])
        if kind == "ig_comment":
            name = author["username"] if author else item["author"]
            return {"id": item["id"], "text": item["message"], "username": name, "timestamp": created,
                    "from": {"id": item["owner"], "username": name}, "hidden": item["hidden"],
                    "like_count": 0, "media": {"id": item["root"]},
                    **({"parent_id": item["parent"]} if item["parent"] else {})}
        name = author["name"] if author else item["author"]
        shape = {"id": item["id"], "message": item["message"], "created_time": created,
                 "from": {"id": item["owner"], "name": name}, "is_hidden": item["hidden"],
                 "permalink_url": f"https://www.facebook.com/{item['root']}?comment_id={item['id']}",
                 "can_hide": author is None, "can_remove": True, "comment_count": 0, "like_count": 0}
        if item["parent"]:
            shape["parent"] = {"id": item["parent"], "created_time": created}
        return shape
