"""Fetch a feed over HTTP(S), bounded in every direction. No Django request in sight.

- only http and https, on a public address: the host name is resolved here and every
  address it resolves to must be globally reachable (``ip.is_global``, for IPv4 and IPv6,
  and for the IPv4 address an IPv6 one embeds: mapped, 6to4, Teredo, NAT64), so private,
  loopback, link-local, carrier-grade NAT (100.64.0.0/10, where cloud metadata services
  also live), benchmarking, documentation and reserved ranges are refused unless
  ``allow_private``; the connection then goes to the very address that was checked, so a
  second DNS answer cannot point it elsewhere (``allow_private`` lets private and loopback
  addresses through, for tests, never link-local nor carrier-grade NAT ones);
- optionally through an outbound HTTP proxy (``proxy="http://[user:password@]host:port"``):
  the same checks happen here first; https goes through a ``CONNECT`` to the checked
  address (TLS still verifies the host name), http is asked of the proxy by host name;
- redirects are followed by hand, each hop checked the same way, at most ``max_redirects``;
- every socket operation has a timeout and the whole fetch a deadline;
- the body is read in chunks and refused past ``max_bytes``; no compression is asked for,
  so what is counted is what is parsed;
- conditional GET: ``If-None-Match`` / ``If-Modified-Since``; a 304 returns no body.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

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


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which is where its packets may end up."""
    embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in NAT64) or int(ip) >> 32 == 0:  # also ::a.b.c.d
        embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in embedded if address is not None]


def is_public(address: str) -> bool:
    """Globally reachable, by the IANA special-purpose registries (``is_global``): anything
    else (carrier-grade NAT, benchmarking, documentation, private…) is refused."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        return all(v4.is_global and not v4.is_multicast for v4 in _embedded_ipv4(ip))
    return True


def is_allowed(address: str, *, allow_private: bool) -> bool:
    """Public, or, when ``allow_private`` (tests serving feeds on loopback), private; never
    link-local nor carrier-grade NAT, where cloud metadata services answer."""
    if is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        allow_private
        and ip.is_private
        and not (ip.is_link_local or ip.is_multicast or ip.is_unspecified)
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
    if not all(is_allowed(a, allow_private=allow_private) for a in addresses):
        raise FetchError("address", host)
    return addresses[0]


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    headers: dict[str, str]

    @classmethod
    def parse(cls, url: str) -> Proxy:
        """``http://[user:password@]host:port``; anything else is a configuration error."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"outbound proxy must be http://host:port, not {url!r}")
        headers = {}
        if parts.username is not None:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(
                credentials.encode()
            ).decode("ascii")
        return cls(parts.hostname, parts.port or 3128, headers)


class _ProxiedHTTPConnection(http.client.HTTPConnection):
    """Plain http through the proxy: the request line carries the absolute URL."""

    def __init__(self, host: str, port: int, *, proxy: Proxy, timeout: float) -> None:
        super().__init__(proxy.host, proxy.port, timeout=timeout)
        self.proxy_headers = proxy.headers


class _TunnelledHTTPSConnection(http.client.HTTPSConnection):
    """https through the proxy: ``CONNECT`` to the address checked here (so the proxy's own
    DNS answer plays no part), then TLS verified against the host name."""

    def __init__(self, host: str, port: int, *, address: str, proxy: Proxy, timeout: float) -> None:
        super().__init__(
            proxy.host, proxy.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._server_hostname = host
        self.set_tunnel(address, port, headers=proxy.headers)
        if ":" in address:  # Python 3.11 writes "CONNECT ::1:443" without the brackets
            self._tunnel_host = f"[{address}]"

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)  # to the proxy, then CONNECT
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_hostname)


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
    proxy: str = "",
) -> FetchResult:
    deadline = time.monotonic() + timeout * 3
    via = Proxy.parse(proxy) if proxy else None
    for _hop in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("address", url[:200])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname, port, allow_private=allow_private)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = port == (443 if parts.scheme == "https" else 80)
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        host_header = host if default_port else f"{host}:{port}"
        connection: http.client.HTTPConnection
        if via is None and parts.scheme == "https":
            connection = _PinnedHTTPSConnection(
                parts.hostname, port, address=address, timeout=timeout
            )
        elif via is None:
            connection = _PinnedHTTPConnection(
                parts.hostname, port, address=address, timeout=timeout
            )
        elif parts.scheme == "https":
            connection = _TunnelledHTTPSConnection(
                parts.hostname, port, address=address, proxy=via, timeout=timeout
            )
        else:
            connection = _ProxiedHTTPConnection(parts.hostname, port, proxy=via, timeout=timeout)
            path = f"http://{host_header}{path}"
        headers = {
            "Host": host_header,  # never the checked address, which may stand in for the name
            "User-Agent": USER_AGENT,
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
            "Accept-Encoding": "identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if isinstance(connection, _ProxiedHTTPConnection):
            headers.update(connection.proxy_headers)
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
