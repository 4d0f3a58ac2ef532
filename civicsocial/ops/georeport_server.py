"""A local Open311 GeoReport v2 server on 127.0.0.1, for the tests and the demo: the
endpoints the 311 referral uses, answering as the specification says (JSON only).

- GET  services.json                the service list
- POST requests.json                a new request: its id, or a token when `queue` is on
- GET  tokens/{token}.json          the id a token became
- GET  requests/{id}.json           a request and its status
Errors are `[{"code": N, "description": "..."}]` with status 400 (missing or unknown
service, no location), 403 (wrong api_key) or 404 (unknown id or token).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SERVICES = [
    {"service_code": "POTHOLE", "service_name": "Pothole", "description": "A pothole in a street",
     "metadata": False, "type": "realtime", "keywords": "pothole, road, street, hole",
     "group": "Streets"},
    {"service_code": "STREETLIGHT", "service_name": "Street light out",
     "description": "A street light that is out or flickering", "metadata": False,
     "type": "realtime", "keywords": "light, lamp, streetlight, dark", "group": "Streets"},
    {"service_code": "SANITATION", "service_name": "Missed collection",
     "description": "Trash or recycling not collected", "metadata": False, "type": "realtime",
     "keywords": "trash, garbage, recycling, pickup, collection", "group": "Sanitation"},
    {"service_code": "TREE", "service_name": "Damaged tree",
     "description": "A fallen or damaged street tree", "metadata": False, "type": "realtime",
     "keywords": "tree, branch, limb", "group": "Parks"},
]


@dataclass
class GeoReportState:
    api_key: str = ""
    queue: bool = False  # answer POSTs with a token, as endpoints that queue requests do
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self, request_id: str, notes: str) -> None:
        """What the city's back office does when the work is done."""
        with self.lock:
            self.requests[request_id].update(status="closed", status_notes=notes,
                                             updated_datetime=_now())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _Handler(BaseHTTPRequestHandler):
    state: GeoReportState

    def log_message(self, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, description: str) -> None:
        self._send(status, [{"code": status, "description": description}])

    def do_GET(self) -> None:
        path = urlsplit(self.path).path.rstrip("/").split("/")[-2:]
        if path[-1] == "services.json":
            return self._send(200, SERVICES)
        name = path[-1].removesuffix(".json")
        with self.state.lock:
            if path[0] == "tokens" and name in self.state.tokens:
                return self._send(200, [{"token": name,
                                         "service_request_id": self.state.tokens[name]}])
            if path[0] == "requests" and name in self.state.requests:
                return self._send(200, [self.state.requests[name]])
        return self._error(404, "not found")

    def do_POST(self) -> None:
        if not self.path.split("?")[0].rstrip("/").endswith("requests.json"):
            return self._error(404, "not found")
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.state.api_key and form.get("api_key") != self.state.api_key:
            return self._error(403, "api_key is missing or wrong")
        codes = {s["service_code"] for s in SERVICES}
        if form.get("service_code") not in codes:
            return self._error(400, "service_code is missing or unknown")
        if not (form.get("address_string") or (form.get("lat") and form.get("long"))):
            return self._error(400, "a location is required: lat and long, or address_string")
        with self.state.lock:
            request_id = str(next(self.state.ids))
            self.state.requests[request_id] = {
                "service_request_id": request_id, "status": "open", "status_notes": "",
                "service_code": form["service_code"], "description": form.get("description", ""),
                "address": form.get("address_string", ""), "requested_datetime": _now(),
                "updated_datetime": _now()}
            if self.state.queue:
                token = f"t{request_id}"
                self.state.tokens[token] = request_id
                return self._send(201, [{"token": token}])
        return self._send(201, [{"service_request_id": request_id,
                                 "service_notice": "Thank you. Your request has been received."}])


def start(state: GeoReportState | None = None) -> tuple[ThreadingHTTPServer, GeoReportState, str]:
    """Start a server on a free loopback port: (server, its state, base URL)."""
    state = state or GeoReportState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state, f"http://127.0.0.1:{server.server_address[1]}/open311/v2"
