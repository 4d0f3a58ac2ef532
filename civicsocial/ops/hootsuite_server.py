"""A Hootsuite contract server for the tests and the demo (Hootsuite cannot run here). It follows
Hootsuite's published API description (apidocs.hootsuite.com/docs/api/swagger.yaml,
"Hootsuite REST API" 1.0, read 2026-12-02) and its rate-limit page: the paths, fields,
validation errors, message states and error envelopes below are the documented ones.

- `POST /oauth2/token`: client credentials only in an HTTP Basic header (in the body: 401);
  a refresh token works once; access tokens expire after `token_lifetime` seconds.
- `/v1/*` needs `Authorization: Bearer`: missing 401 code 1000, invalid or expired 1001;
  more than 20 requests in a second: 429 code 1043, with no Retry-After (as documented).
- `GET /v1/socialProfiles`; `POST /v1/media` {sizeBytes, mimeType} (video/mp4, image/gif,
  image/jpeg, image/jpg, image/png) gives an upload URL; the `PUT` there must carry the same
  type and length; `GET /v1/media/{id}` answers QUEUED, then READY.
- `POST /v1/messages` {text, socialProfileIds, scheduledSendTime ending in Z, media}: one
  SCHEDULED message per profile; media not READY: 40021; an unknown profile: 4001.
  `GET /v1/messages/{id}`; `DELETE` only while SCHEDULED (else 40003); `GET /v1/messages`
  with startTime and endTime at most 4 weeks apart (else 40020).
- At a message's time (`run_due`), the post is made on a real platform server through
  `publish` (the local Bluesky network or the Mastodon server), and the message becomes
  SENT with its postId and postUrl, so the loop is real end to end. The profile type
  BLUESKY is ours: the document's list of types predates it.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MIME_TYPES = {"video/mp4", "image/gif", "image/jpeg", "image/jpg", "image/png"}
RATE_LIMIT = 20  # requests per second per account
Publish = Callable[[dict[str, Any], str, list[tuple[bytes, str]]], tuple[str, str]]


@dataclass
class State:
    client_id: str
    client_secret: str
    profiles: list[dict[str, Any]]
    publish: Publish
    token_lifetime: int = 3600
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: dict[str, float] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    recent: list[float] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # status codes to answer next, for fault tests
    lock: threading.Lock = field(default_factory=threading.Lock)


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_z(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.endswith("Z"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


class HootsuiteContractServer:
    """Start with `with HootsuiteContractServer(...) as server:`; `server.url` is its base."""

    def __init__(self, profiles: list[dict[str, Any]], publish: Publish, token_lifetime: int = 3600) -> None:
        self.state = State(f"client-{secrets.token_hex(4)}", secrets.token_urlsafe(24), profiles, publish,
                           token_lifetime)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HootsuiteContractServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def issue_refresh_token(self) -> str:
        """A refresh token, as the authorization code flow would have given."""
        token = secrets.token_urlsafe(24)
        self.state.refresh_tokens.add(token)
        return token

    def run_due(self, now: datetime | None = None) -> int:
        """Send every scheduled message whose time has come; how many were sent."""
        now = now or datetime.now(UTC)
        sent = 0
        with self.state.lock:
            due = [m for m in self.state.messages.values()
                   if m["state"] == "SCHEDULED" and _parse_z(m["scheduledSendTime"]) <= now]  # type: ignore[operator]
        for message in due:
            profile = next(p for p in self.state.profiles if p["id"] == message["socialProfile"]["id"])
            media = [(self.state.media[m["id"]]["data"], self.state.media[m["id"]]["mimeType"])
                     for m in message.get("media", [])]
            try:
                message["postId"], message["postUrl"] = self.state.publish(profile, message["text"], media)
                message["state"] = "SENT"
                sent += 1
            except Exception:
                message["state"] = "SEND_FAILED_PERMANENTLY"
        return sent

    def messages(self, state: str = "") -> list[dict[str, Any]]:
        return [m for m in self.state.messages.values() if not state or m["state"] == state]


def _handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def setup(self) -> None:
            super().setup()
            # Small writes (headers, then the body) would wait on Nagle's algorithm and the
            # peer's delayed ACK: 40 ms a request on loopback.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Account-Quota", "100000 per day")
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: int, message: str) -> None:
            self._send(status, {"errors": [{"code": code, "message": message, "id": secrets.token_hex(8)}]})

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _json(self) -> Any:
            try:
                return json.loads(self._body() or b"null")
            except ValueError:
                return None

        def _authorized(self) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                self._error(401, 1000, "Missing or duplicate access token")
                return False
            expires = state.access_tokens.get(header[7:])
            if expires is None or expires < time.time():
                self._error(401, 1001, "Invalid access token")
                return False
            now = time.monotonic()
            with state.lock:
                state.recent = [t for t in state.recent if now - t < 1.0] + [now]
                over = len(state.recent) > RATE_LIMIT
            if over:
                self._error(429, 1043, "Too many requests")
                return False
            if state.fail_next:
                status = state.fail_next.pop(0)
                self._error(status, 9000 if status >= 500 else 1043, "An internal error occurred")
                return False
            return True

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path == "/oauth2/token":
                return self._token()
            if not self._authorized():
                return None
            body = self._json()
            state.requests.append(("POST", path, body))
            if path == "/v1/media":
                return self._create_media(body)
            if path == "/v1/messages":
                return self._schedule(body)
            return self._error(404, 4001, "Resource not found")

        def _token(self) -> None:
            form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
            basic = self.headers.get("Authorization", "")
            expected = base64.b64encode(f"{state.client_id}:{state.client_secret}".encode()).decode()
            if "client_secret" in form or basic != f"Basic {expected}":
                return self._send(401, {"error": "invalid_client", "status_code": 401,
                                        "error_description": "Client credentials must be sent with HTTP "
                                                             "Basic authentication"})
            if form.get("grant_type") != "refresh_token":
                return self._send(400, {"error": "unsupported_grant_type", "status_code": 400})
            with state.lock:
                if form.get("refresh_token") not in state.refresh_tokens:
                    return self._send(400, {"error": "invalid_grant", "status_code": 400,
                                            "error_description": "The refresh token is invalid or was used"})
                state.refresh_tokens.discard(form["refresh_token"])
                access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
                state.refresh_tokens.add(refresh)
                state.access_tokens[access] = time.time() + state.token_lifetime
            return self._send(200, {"access_token": access, "token_Type": "Bearer",
                                    "expires_in": state.token_lifetime, "refresh_token": refresh,
                                    "scope": "offline"})

        def _create_media(self, body: Any) -> None:
            if not isinstance(body, dict) or not isinstance(body.get("sizeBytes"), int) or \
                    body.get("mimeType") not in MIME_TYPES:
                return self._error(400, 4000, "Schema validation failed")
            media_id = base64.urlsafe_b64encode(secrets.token_bytes(18)).decode()
            state.media[media_id] = {"sizeBytes": body["sizeBytes"], "mimeType": body["mimeType"],
                                     "state": "QUEUED", "data": None, "reads": 0}
            port = self.server.server_address[1]  # type: ignore[index]  # (host, port) for AF_INET
            self._send(200, {"data": {"id": media_id, "uploadUrl": f"http://127.0.0.1:{port}/upload/{media_id}",
                                      "uploadUrlDurationSeconds": 1799}})

        def do_PUT(self) -> None:
            media = state.media.get(urlsplit(self.path).path.removeprefix("/upload/"))
            data = self._body()
            if media is None or media["data"] is not None:
                return self._send(403, {})
            if self.headers.get("Content-Type") != media["mimeType"] or len(data) != media["sizeBytes"]:
                return self._send(400, {})  # S3 refuses a type or length other than signed
            media["data"] = data
            return self._send(200, {})

        def _schedule(self, body: Any) -> None:
            if not isinstance(body, dict) or not isinstance(body.get("text"), str) or \
                    not isinstance(body.get("socialProfileIds"), list) or not body["socialProfileIds"]:
                return self._error(400, 4000, "Schema validation failed")
            when = _parse_z(body.get("scheduledSendTime"))
            if when is None or when <= datetime.now(UTC):
                return self._error(400, 4000, "scheduledSendTime must be a future UTC time ending in 'Z'")
            known = {p["id"] for p in state.profiles}
            if any(p not in known for p in body["socialProfileIds"]):
                return self._error(400, 4001, "Resource not found")
            for item in body.get("media") or []:
                media = state.media.get(str(item.get("id")))
                if media is None or media["state"] != "READY":
                    return self._error(400, 40021, "Uploaded media is not yet ready to be used")
            made = []
            with state.lock:
                for profile in body["socialProfileIds"]:
                    message_id = str(4138476039 + len(state.messages))
                    state.messages[message_id] = {
                        "id": message_id, "state": "SCHEDULED", "text": body["text"],
                        "socialProfile": {"id": profile}, "scheduledSendTime": body["scheduledSendTime"],
                        "media": [{"id": m["id"]} for m in body.get("media") or []]}
                    made.append(state.messages[message_id])
            return self._send(200, {"data": made})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if not self._authorized():
                return None
            state.requests.append(("GET", parts.path, parts.query))
            if parts.path == "/v1/socialProfiles":
                return self._send(200, {"data": state.profiles})
            if parts.path.startswith("/v1/media/"):
                media = state.media.get(parts.path.removeprefix("/v1/media/"))
                if media is None:
                    return self._error(404, 4001, "Resource not found")
                media["reads"] += 1
                if media["data"] is not None and media["reads"] > 1:
                    media["state"] = "READY"
                media_id = parts.path.rsplit("/", 1)[-1]
                return self._send(200, {"data": {"id": media_id, "state": media["state"]}})
            if parts.path == "/v1/messages":
                return self._list(parse_qs(parts.query))
            message = state.messages.get(parts.path.removeprefix("/v1/messages/"))
            if message is None:
                return self._error(404, 4001, "Resource not found")
            return self._send(200, {"data": message})

        def _list(self, query: dict[str, list[str]]) -> None:
            start = _parse_z((query.get("startTime") or [""])[0])
            end = _parse_z((query.get("endTime") or [""])[0])
            if start is None or end is None:
                return self._error(400, 4000, "Schema validation failed")
            if end - start > timedelta(weeks=4):
                return self._error(400, 40020, "Specified date range is too large")
            profiles = set(query.get("socialProfileIds") or [])
            found = [m for m in state.messages.values()
                     if start <= _parse_z(m["scheduledSendTime"]) <= end  # type: ignore[operator]
                     and (not profiles or m["socialProfile"]["id"] in profiles)]
            return self._send(200, {"data": found})

        def do_DELETE(self) -> None:
            if not self._authorized():
                return None
            path = urlsplit(self.path).path
            state.requests.append(("DELETE", path, None))
            message = state.messages.get(path.removeprefix("/v1/messages/"))
            if message is None:
                return self._error(404, 4001, "Resource not found")
            if message["state"] != "SCHEDULED":
                return self._error(400, 40003, "You have attempted to delete a message that cannot be "
                                               "deleted in its current state")
            del state.messages[message["id"]]
            return self._send(200, {"data": []})

    return Handler
