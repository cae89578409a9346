"""A local fake short-link service on 127.0.0.1 for tests and benchmarks (never the internet)."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the fake server answers for one path."""

    status: int = 302
    location: str | None = None
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    delay_seconds: float = 0.0
    drip_seconds: float | None = None  # send the body one byte at a time, this far apart
    endless: bool = False  # stream zeros until the client gives up
    silent: bool = False  # accept the request and never answer
    gzip_body: bool = False
    # Answers to give in turn before settling on this route (e.g. 503 then 302).
    first_statuses: list = field(default_factory=list)


class FakeShortener:
    """Serves Routes by path and logs every request it gets."""

    def __init__(self, default_delay_seconds: float = 0.0):
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.default_delay_seconds = default_delay_seconds
        self.default_route: Route | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def start(self) -> FakeShortener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def hits_for(self, path: str) -> int:
        with self._lock:
            return sum(1 for hit in self.hits if hit == path)

    def _handler_class(self):
        shortener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 (http.server's naming)
                with shortener._lock:
                    shortener.hits.append(self.path)
                route = shortener.routes.get(self.path) or shortener.default_route
                if route is None:
                    self._send(404, b"not found", {})
                    return
                if route.silent:
                    time.sleep(30)
                    return
                delay = route.delay_seconds or shortener.default_delay_seconds
                if delay:
                    time.sleep(delay)
                with shortener._lock:
                    status = route.first_statuses.pop(0) if route.first_statuses else None
                if status is not None:
                    headers = dict(route.headers) if status in (429, 503) else {}
                    self._send(status[0] if isinstance(status, tuple) else status, b"", headers)
                    return
                headers = dict(route.headers)
                if route.location is not None:
                    location = route.location
                    if route.location.startswith("@"):  # templated: per-path target
                        location = route.location[1:].replace("{path}", self.path)
                    headers["Location"] = location
                if route.endless:
                    self._stream_forever(headers)
                    return
                body = route.body
                if route.gzip_body:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                if route.drip_seconds:
                    self._drip(route.status, body, headers, route.drip_seconds)
                    return
                self._send(route.status, body, headers)

            def _send(self, status, body, headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def _drip(self, status, body, headers, interval):
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body) + 1000))
                    self.end_headers()
                    for _ in range(200):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(interval)
                except OSError:
                    pass

            def _stream_forever(self, headers):
                try:
                    self.send_response(200)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    chunk = b"0" * 65536
                    for _ in range(100_000):  # ~6.5 GB at most; the client stops far earlier
                        self.wfile.write(chunk)
                except OSError:
                    pass

        return Handler


ONE_POINT_FOR_EVERY_PATH = "@https://maps.google.com/?q=1.5,2.5&from={path}"


@contextlib.contextmanager
def running_one_point_shortener(delay_seconds: float):
    """A shortener that sends every path, after delay_seconds, to a link of one point that
    names the path (so each short link is a distinct URL with the same answer)."""
    server = FakeShortener(default_delay_seconds=delay_seconds).start()
    server.default_route = Route(location=ONE_POINT_FOR_EVERY_PATH)
    try:
        yield server
    finally:
        server.stop()
