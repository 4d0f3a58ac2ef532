"""A fault-injecting HTTP proxy between an adapter and a local platform server.

At `rate`, a request meets one fault, chosen at random (seeded):
- `429`: refused with Retry-After (not forwarded);
- `500`: a server error (not forwarded);
- `timeout`: forwarded, the answer held back past the client's timeout;
- `drop`: forwarded, then the connection closed without an answer;
- `truncate`: forwarded, the answer cut off half way through its body.
The last three are the hard ones: the platform did the work and the client cannot
know, which is what idempotent publishing and idempotent archiving must survive.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

FAULTS = ("429", "500", "timeout", "drop", "truncate")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "host", "content-length"}


class FaultProxy:
    def __init__(self, upstream: str, rate: float = 0.3, seed: int = 7,
                 hold_seconds: float = 1.5, retry_after: str = "1") -> None:
        target = urlsplit(upstream)
        self.upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self.rate = rate
        self.hold_seconds = hold_seconds
        self.retry_after = retry_after
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _fault(self) -> str:
        with self._lock:
            self.requests += 1
            if self._rng.random() >= self.rate:
                return ""
            fault = self._rng.choice(FAULTS)
            self.injected[fault] += 1
            return fault

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                super().setup()
                # Small writes (headers, then the body) would wait on Nagle's algorithm and the
                # peer's delayed ACK: 40 ms a request on loopback.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: tests read proxy.injected instead

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = proxy._fault()
                if fault in ("429", "500"):
                    self._answer(int(fault), b'{"error":"InjectedFault","message":"injected"}',
                                 {"Retry-After": proxy.retry_after} if fault == "429" else {})
                    return
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                upstream.close()
                kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
                if fault == "drop":
                    self._close()
                    return
                if fault == "timeout":
                    time.sleep(proxy.hold_seconds)
                if fault == "truncate":
                    self._answer(response.status, data, kept, cut=max(1, len(data) // 2))
                    return
                self._answer(response.status, data, kept)

            def _answer(self, status: int, data: bytes, headers: dict[str, str],
                        cut: int | None = None) -> None:
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    if not any(key.lower() == "content-type" for key in headers):
                        self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(data if cut is None else data[:cut])
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (a held-back answer)
                if cut is not None:
                    self._close()

            def _close(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

        return Handler
