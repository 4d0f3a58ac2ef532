"""What every platform contract server shares (Facebook and Instagram's Graph API, X's API v2,
YouTube's Data API v3; see each module for the document it follows). These platforms cannot
run here, so the tests and the demo run a server on loopback that speaks as their documents
say: it checks what it receives and answers with the documented shapes and errors.

A server holds its platform's state in memory behind one lock; `handle` answers one request.
`fail_next` makes the next requests fail with the platform's own errors (rate limits, server
errors), and `requests` records what was asked, for tests that check what an adapter sent.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]  # the last value of each parameter
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None if it is not)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """The body as a form (application/x-www-form-urlencoded)."""
        return {key: values[-1] for key, values in parse_qs(self.body.decode(errors="replace")).items()}

    def bearer(self) -> str:
        header = self.headers.get("authorization", "")
        return header[7:] if header.startswith("Bearer ") else ""


@dataclass
class Response:
    status: int
    body: Any = None  # JSON, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"


class ContractServer:
    """Start with `with Server(...) as server:`; `server.url` is its base address."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.fail_next: list[Response] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving (also when it was never entered)."""
        if self._thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, request: Request) -> Response:
        """The answer to one request (each platform's server says how)."""
        raise NotImplementedError

    def answer(self, request: Request) -> Response:
        """`handle`, after any failure the test asked for."""
        with self.lock:
            self.requests.append(request)
            if self.fail_next:
                return self.fail_next.pop(0)
            return self.handle(request)


def _handler(server: ContractServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Small writes would wait on Nagle's algorithm and delayed ACKs: 40 ms a request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._send(Response(413, {"error": "request too large"}))
            parts = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
            request = Request(self.command, parts.path, query,
                              {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            try:
                response = server.answer(request)
            except Exception as error:  # a fault in the contract server shows as the platform's 500
                response = Response(500, {"error": f"contract server fault: {error!r}"})
            return self._send(response)

        def _send(self, response: Response) -> None:
            data = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler
