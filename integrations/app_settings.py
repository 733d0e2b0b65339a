"""Integrations settings with their defaults (override ``INTEGRATIONS_<NAME>`` in Django
settings; documented in README and .env.example)."""

from __future__ import annotations

from portal.core.app_settings import AppSettings, Setting


class IntegrationsSettings(AppSettings):
    prefix = "INTEGRATIONS_"
    # Incoming webhooks: largest JSON body, and calls per webhook per minute.
    WEBHOOK_MAX_BYTES: int = Setting(64 * 1024)
    WEBHOOK_RATE_PER_MINUTE: int = Setting(30)
    # RSS/Atom feeds.
    FEED_INTERVAL_SECONDS: int = Setting(15 * 60)
    FEED_TIMEOUT_SECONDS: float = Setting(10)
    FEED_MAX_BYTES: int = Setting(5 * 1024 * 1024)
    FEED_MAX_REDIRECTS: int = Setting(5)
    FEED_MAX_FAILURES: int = Setting(5)
    # Feeds on private, loopback or link-local addresses: refused unless this is on (tests
    # serving feeds on 127.0.0.1; never in production).
    ALLOW_PRIVATE_FEEDS: bool = Setting(False)
    # An outbound HTTP proxy for feeds (``http://[user:password@]host:port``), for networks
    # that reach the Internet only through one; "" connects directly.
    FEED_PROXY: str = Setting("")
    # REST API: requests per token (or signed-in person), and per address without one.
    API_RATE: str = Setting("120/minute")

    # Not settings. New entries turned into posts in one check (the newest); older ones are
    # only marked seen, so connecting a blog with 200 entries does not flood the community.
    FEED_MAX_NEW_POSTS = 10
    SUMMARY_MAX_CHARS = 1500
    API_PAGE_SIZE = 20


app_settings = IntegrationsSettings()
