"""A real HTTP server on 127.0.0.1 serving the feed files of ``feeds/`` and a few hostile
answers, started by the tests that need it."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).parent / "feeds"
ETAG = '"rss-v1"'
LAST_MODIFIED = "Tue, 24 Nov 2026 08:00:00 GMT"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    requests: list[tuple[str, dict]] = []

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.requests.append((self.path, dict(self.headers)))
        path = self.path
        if path == "/rss.xml":
            if self.headers.get("If-None-Match") == ETAG:
                return self._send(304)
            return self._send(
                200,
                (FEEDS / "rss2.xml").read_bytes(),
                Content_Type="application/rss+xml",
                ETag=ETAG,
                Last_Modified=LAST_MODIFIED,
            )
        if path in ("/atom.xml", "/broken.xml", "/script.xml"):
            return self._send(200, (FEEDS / path[1:]).read_bytes(), Content_Type="application/xml")
        if path == "/redirect":
            return self._send(302, Location="/rss.xml")
        if path == "/loop":
            return self._send(302, Location="/loop")
        if path == "/to-metadata":
            return self._send(302, Location="http://169.254.169.254/latest/meta-data/")
        if path == "/error":
            return self._send(500, b"oops")
        if path == "/slow":
            time.sleep(3)
            return self._send(200, (FEEDS / "rss2.xml").read_bytes())
        if path == "/huge-declared.xml":
            self.send_response(200)
            self.send_header("Content-Length", str(6 * 1024 * 1024))
            self.end_headers()
            return None  # the client must give up before reading anything
        if path == "/huge.xml":
            # No length announced: the client must stop counting by itself.
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
            try:
                self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
                for _ in range(100):  # about 6.5 MB
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        return self._send(404, b"not found")


class FeedServer:
    def __init__(self) -> None:
        Handler.requests = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self) -> list[tuple[str, dict]]:
        return Handler.requests

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
