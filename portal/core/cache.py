"""The cache backend of a deployment with Redis: Django's own Redis cache, which keeps the site
serving when Redis does not answer.

Nothing in Parvis keeps data only in the cache (sessions live in the database, files in the
media store), so an unreachable Redis is treated as Django's ``DummyCache`` treats every
call: reads miss, writes are accepted and forgotten, and every page is computed from the
database, slower but correct. ``add()`` answers True like DummyCache's, so a lock taken with
it (allauth's rate limits take one) is granted: during the outage, rate limits kept in the
cache (sign-in attempts, webhooks, the API) are not enforced, rather than refusing everyone.
Django's
``RedisCache`` raises instead, which turns a Redis restart into a site-wide error page;
django-redis's ``DJANGO_REDIS_IGNORE_EXCEPTIONS`` does what this module does, but would be a
second Redis client for one behaviour.

After a failure the backend stops asking Redis for ``RETRY_AFTER`` seconds (per process), so
a Redis host that is gone does not cost every cache call a connection time-out; the first
call after that tries again, and the cache is back as soon as Redis is.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portal.core.cache")

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _missing_key(key: str, *args: Any, **kwargs: Any) -> int:
    # What Django's caches do when incr() finds no key: callers already handle it.
    raise ValueError(f"Key '{key}' not found (the cache is unreachable).")


# What each operation answers while Redis is unreachable: what Django's DummyCache answers.
_FALLBACKS: dict[str, Callable[..., Any]] = {
    "add": lambda *a, **k: True,
    "get": lambda key, default=None, *a, **k: default,
    "set": lambda *a, **k: None,
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "incr": _missing_key,
    "set_many": lambda *a, **k: [],  # no key refused
    "delete_many": lambda *a, **k: None,
    "clear": lambda *a, **k: False,
}


class FailSoftRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that answers like ``DummyCache`` while
    Redis is unreachable (see the module docstring). Other Redis errors still raise."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0

    def _fail_soft(self, name: str, *args: Any, **kwargs: Any) -> Any:
        fallback = _FALLBACKS[name]
        if time.monotonic() < self._down_until:
            return fallback(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            if not self._down_until:
                logger.warning("Redis cache unreachable, serving without it: %s", exc)
            self._down_until = time.monotonic() + RETRY_AFTER
            return fallback(*args, **kwargs)
        if self._down_until:
            logger.warning("Redis cache reachable again")
            self._down_until = 0.0
        return result


def _wrap(name: str) -> Callable[..., Any]:
    @functools.wraps(getattr(RedisCache, name))
    def method(self: FailSoftRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._fail_soft(name, *args, **kwargs)

    return method


for _name in _FALLBACKS:
    setattr(FailSoftRedisCache, _name, _wrap(_name))
