"""A real HTTP server on 127.0.0.1 serving the feed files of ``feeds/`` and a few hostile
answers, started by the tests that need it."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

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
        if path == "/to-cgnat":  # Alibaba Cloud's metadata service, in carrier-grade NAT space
            return self._send(302, Location="http://100.100.100.200/latest/meta-data/")
        if path == "/to-nat64":
            return self._send(302, Location="http://[64:ff9b::a9fe:a9fe]/latest/meta-data/")
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


class ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy: absolute-form GET for http, CONNECT tunnels for https."""

    protocol_version = "HTTP/1.0"
    seen: list[tuple[str, str, str]] = []  # (method, target, Proxy-Authorization)

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        ProxyHandler.seen.append(("GET", self.path, self.headers.get("Proxy-Authorization", "")))
        target = urlsplit(self.path)
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=5)
        upstream.request("GET", target.path or "/", headers={"Host": self.headers["Host"]})
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self) -> None:
        ProxyHandler.seen.append(
            ("CONNECT", self.path, self.headers.get("Proxy-Authorization", ""))
        )
        host, _, port = self.path.rpartition(":")
        upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], 5)
            if not readable:
                break
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    upstream.close()
                    return
                (upstream if sock is self.connection else self.connection).sendall(data)


class ProxyServer:
    def __init__(self) -> None:
        ProxyHandler.seen = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), ProxyHandler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def seen(self) -> list[tuple[str, str, str]]:
        return ProxyHandler.seen

    def url(self, credentials: str = "") -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{credentials}{host}:{port}"

    def __enter__(self) -> ProxyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
