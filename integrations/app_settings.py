"""Integrations settings with their defaults (documented in README and .env.example).

Read on each use, as allauth's ``app_settings`` does, so a test can change one with the
``settings`` fixture."""

from __future__ import annotations

from django.conf import settings


class _Settings:
    def _get(self, name: str, default):
        return getattr(settings, f"INTEGRATIONS_{name}", default)

    # Incoming webhooks: largest JSON body, and calls per webhook per minute.
    @property
    def WEBHOOK_MAX_BYTES(self) -> int:
        return self._get("WEBHOOK_MAX_BYTES", 64 * 1024)

    @property
    def WEBHOOK_RATE_PER_MINUTE(self) -> int:
        return self._get("WEBHOOK_RATE_PER_MINUTE", 30)

    # RSS/Atom feeds.
    @property
    def FEED_INTERVAL_SECONDS(self) -> int:
        return self._get("FEED_INTERVAL_SECONDS", 15 * 60)

    @property
    def FEED_TIMEOUT_SECONDS(self) -> float:
        return self._get("FEED_TIMEOUT_SECONDS", 10)

    @property
    def FEED_MAX_BYTES(self) -> int:
        return self._get("FEED_MAX_BYTES", 5 * 1024 * 1024)

    @property
    def FEED_MAX_REDIRECTS(self) -> int:
        return self._get("FEED_MAX_REDIRECTS", 5)

    @property
    def FEED_MAX_FAILURES(self) -> int:
        return self._get("FEED_MAX_FAILURES", 5)

    @property
    def ALLOW_PRIVATE_FEEDS(self) -> bool:
        """Feeds on private, loopback or link-local addresses: refused unless this is on
        (tests serving feeds on 127.0.0.1; never in production)."""
        return self._get("ALLOW_PRIVATE_FEEDS", False)

    @property
    def FEED_PROXY(self) -> str:
        """An outbound HTTP proxy for feeds (``http://[user:password@]host:port``), for
        networks that reach the Internet only through one; "" connects directly."""
        return self._get("FEED_PROXY", "")

    # New entries turned into posts in one check (the newest); older ones are only marked
    # seen, so connecting a blog with 200 entries does not flood the community.
    FEED_MAX_NEW_POSTS = 10
    SUMMARY_MAX_CHARS = 1500

    # REST API: requests per token (or signed-in person), and per address without one.
    @property
    def API_RATE(self) -> str:
        return self._get("API_RATE", "120/minute")

    API_PAGE_SIZE = 20


app_settings = _Settings()
