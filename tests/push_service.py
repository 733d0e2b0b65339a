"""A push service on loopback (RFC 8030), for the tests: the site posts to it as to FCM or
Mozilla's, it checks the request as they would and decrypts what a browser would.

- ``PushService()`` starts an HTTP server on 127.0.0.1 (a random port) in a thread; use it
  as a context manager (the ``push_service`` fixture does).
- ``browser()`` plays a browser subscribing: a real P-256 key pair and a 16-byte auth secret,
  and an endpoint on this server. ``subscription_json()`` is what ``PushSubscription.toJSON()``
  gives a page.
- Each POST is checked: ``Authorization: vapid t=<JWT>,k=<key>`` where ``k`` is the site's
  public key and the JWT (ES256) verifies with it, names this server as ``aud``, expires
  within 24 hours and has a ``sub``; ``TTL`` is present; ``Content-Encoding: aes128gcm``.
  The body is decrypted with the browser's private key and auth secret (http_ece, RFC 8291)
  and kept in ``received`` (JSON), in order.
- ``answer(browser, status)`` makes the endpoint of that browser answer 404, 410, 500… A
  request that fails a check answers 400/401 and lands in ``refused`` with the reason.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's subscription: what the site stores, and the secrets only it has."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    token: str

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_json(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Delivery:
    token: str
    payload: dict[str, Any]
    headers: dict[str, str]  # names in lower case
    claims: dict[str, Any]
    body: bytes  # as it travelled: encrypted


@dataclass
class PushService:
    vapid_public_key: str
    received: list[Delivery] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._browsers: dict[str, Browser] = {}
        self._answers: dict[str, int] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                status = service._handle(self)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what a test does ---

    def browser(self) -> Browser:
        token = secrets.token_urlsafe(16)
        browser = Browser(
            endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            token=token,
        )
        with self._lock:
            self._browsers[token] = browser
        return browser

    def add_browser(self, *, endpoint_token: str, private_pkcs8: bytes, auth: str) -> Browser:
        """A subscription made in a real browser (keys from WebCrypto, exported PKCS#8)."""
        key = serialization.load_der_private_key(private_pkcs8, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        browser = Browser(
            endpoint=f"{self.origin}/push/{endpoint_token}",
            private_key=key,
            auth_secret=unb64url(auth),
            token=endpoint_token,
        )
        with self._lock:
            self._browsers[endpoint_token] = browser
        return browser

    def answer(self, browser: Browser, status: int) -> None:
        with self._lock:
            self._answers[browser.token] = status

    def payloads(self, browser: Browser | None = None) -> list[dict[str, Any]]:
        return [d.payload for d in self.received if browser is None or d.token == browser.token]

    # --- the push service's side ---

    def _refuse(self, reason: str, status: int) -> int:
        with self._lock:
            self.refused.append(reason)
        return status

    def _handle(self, request: BaseHTTPRequestHandler) -> int:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        token = request.path.removeprefix("/push/")
        with self._lock:
            browser = self._browsers.get(token)
            status = self._answers.get(token, 201)
        if browser is None:
            return self._refuse(f"unknown endpoint {request.path}", 404)
        claims = self._check_vapid(request.headers.get("Authorization", ""))
        if isinstance(claims, str):
            return self._refuse(claims, 401)
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._refuse("Content-Encoding is not aes128gcm", 400)
        if not (request.headers.get("TTL") or "").isdigit():
            return self._refuse("no TTL", 400)
        if status >= 300:  # the endpoint is gone, or the service fails: it reads nothing
            return status
        try:
            plain = http_ece.decrypt(
                body,
                private_key=browser.private_key,
                auth_secret=browser.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except Exception as exc:  # any failure to decrypt is a refusal
            return self._refuse(f"cannot decrypt: {exc!r}", 400)
        with self._lock:
            self.received.append(
                Delivery(
                    token, payload, {k.lower(): v for k, v in request.headers.items()}, claims, body
                )
            )
        return status

    def _check_vapid(self, authorization: str) -> dict[str, Any] | str:
        """The JWT's claims, or why the request is refused (RFC 8292)."""
        scheme, _space, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            return f"not a vapid Authorization: {authorization[:40]!r}"
        values = dict(
            part.strip().split("=", 1) for part in params.split(",") if "=" in part.strip()
        )
        if values.get("k") != self.vapid_public_key:
            return "k is not the site's public key"
        try:
            header_b64, claims_b64, signature_b64 = values["t"].split(".")
            header = json.loads(unb64url(header_b64))
            claims = json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
        except (KeyError, ValueError):
            return "malformed JWT"
        if header.get("alg") != "ES256" or len(signature) != 64:
            return "the JWT is not ES256"
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), unb64url(self.vapid_public_key)
        )
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "the JWT's signature does not verify with the site's key"
        if claims.get("aud") != self.origin:
            return f"aud is {claims.get('aud')!r}, not this push service"
        if not (time.time() < int(claims.get("exp", 0)) <= time.time() + 24 * 3600):
            return "exp is not within the next 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "no sub"
        return claims


def subscribe(user: Any, browser: Browser, *, session_key: str = "", device: str = "Firefox"):
    """What the devices page does when ``browser`` turns push on for ``user``."""
    from portal.push import services

    return services.subscription_save(
        user=user,
        endpoint=browser.endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
        device=device,
        session_key=session_key,
    )
