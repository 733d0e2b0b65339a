"""Fetch a feed over HTTP(S), bounded in every direction. No Django request in sight.

- only http and https, on a public address: the host name is resolved here and every
  address it resolves to is checked (private, loopback, link-local, multicast, reserved
  and unspecified ranges are refused unless ``allow_private``); the connection then goes to
  the very address that was checked, so a second DNS answer cannot point it elsewhere;
- redirects are followed by hand, each hop checked the same way, at most ``max_redirects``;
- every socket operation has a timeout and the whole fetch a deadline;
- the body is read in chunks and refused past ``max_bytes``; no compression is asked for,
  so what is counted is what is parsed;
- conditional GET: ``If-None-Match`` / ``If-Modified-Since``; a 304 returns no body.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

USER_AGENT = "Parvis feed reader (+https://parvis.example)"
CHUNK = 64 * 1024


class FetchError(Exception):
    """``code`` is one of ``integrations.models.Feed.Error``; ``detail`` is for people."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class FetchResult:
    status: int  # 200, or 304 (not modified: ``content`` is empty)
    content: bytes
    etag: str
    last_modified: str
    url: str  # after redirects


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to, after checking every address ``host`` resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("connection", f"{host}: {exc}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError("connection", host)
    if not allow_private and not all(is_public(a) for a in addresses):
        raise FetchError("address", host)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate checked against the host name, not the address we connected to.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float = 10,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 5,
    allow_private: bool = False,
) -> FetchResult:
    deadline = time.monotonic() + timeout * 3
    for _hop in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("address", url[:200])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port, allow_private=allow_private)
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        connection = connection_class(parts.hostname, port, address=address, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
            "Accept-Encoding": "identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location", "")
                if not location:
                    raise FetchError("http", str(response.status))
                url = urljoin(url, location)
                continue
            if response.status == 304:
                return FetchResult(304, b"", etag, last_modified, url)
            if response.status != 200:
                raise FetchError("http", f"HTTP {response.status}")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError("too_large", f"{int(length)} bytes")
            body = bytearray()
            while True:
                if time.monotonic() > deadline:
                    raise FetchError("timeout", "")
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError("too_large", f"> {max_bytes} bytes")
            return FetchResult(
                200,
                bytes(body),
                (response.getheader("ETag") or "")[:500],
                (response.getheader("Last-Modified") or "")[:100],
                url,
            )
        except TimeoutError:
            raise FetchError("timeout", "") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError("connection", str(exc)[:200]) from None
        finally:
            connection.close()
    raise FetchError("redirects", str(max_redirects))
