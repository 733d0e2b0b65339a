"""The Redis cache backend answers like an empty cache while Redis is unreachable (here: a
port nothing listens on), so pages are computed from the database instead of failing."""

from __future__ import annotations

import socket

import pytest
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError

from portal.core import cache as fail_soft


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def down():
    location = f"redis://127.0.0.1:{_closed_port()}/1"
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    return fail_soft.FailSoftRedisCache(location, {"KEY_PREFIX": "t", "OPTIONS": options})


def test_djangos_own_backend_raises(down):
    plain = RedisCache(down._servers[0], {})
    with pytest.raises(RedisConnectionError):
        plain.get("key")


def test_every_operation_answers_like_djangos_dummy_cache(down):
    dummy = DummyCache("", {})
    assert down.get("key") is dummy.get("key") is None
    assert down.get("key", "default") == "default"
    assert down.get_or_set("key", lambda: "computed") == "computed"
    assert down.get_many(["a", "b"]) == dummy.get_many(["a", "b"]) == {}
    assert down.has_key("key") is dummy.has_key("key") is False
    assert down.set("key", 1) is dummy.set("key", 1) is None
    # add() grants: allauth's rate limits take a lock with it (not enforced while Redis is
    # down, rather than refusing every sign-in).
    assert down.add("key", 1) is dummy.add("key", 1) is True
    assert down.set_many({"a": 1, "b": 2}) == dummy.set_many({"a": 1, "b": 2}) == []
    assert down.touch("key") is dummy.touch("key") is False
    assert down.delete("key") is dummy.delete("key") is False
    assert down.delete_many(["a"]) is None
    assert not down.clear()
    with pytest.raises(ValueError):
        down.incr("counter")
    with pytest.raises(ValueError):
        dummy.incr("counter")


def test_after_a_failure_redis_is_left_alone_for_a_while(down, monkeypatch, caplog):
    calls = []
    original = RedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counting_get)
    for _ in range(5):
        assert down.get("key", 7) == 7
    assert len(calls) == 1  # one connection attempt, then the fallback at once
    warnings = [r for r in caplog.records if r.message.startswith("Redis cache unreachable")]
    assert len(warnings) == 1  # once per outage, not once per call

    monkeypatch.setattr(fail_soft.time, "monotonic", lambda: 10**9)  # RETRY_AFTER later
    down.get("key")
    assert len(calls) == 2
