"""Live events: what a service changed reaches the open pages that show it, within a second.

A service *publishes* an event on a topic once its transaction commits (:func:`publish`): the
event carries ids, never content, and goes to the channel layer's group for that topic (Redis
between processes; in memory under ``make run``). One socket per browser tab
(``portal/core/consumers.py``, route ``/ws/live/``) subscribes to the topics its page shows.

A topic is ``"<kind>:<key>"``: ``user:5`` (the person's own: bell, unread counts, access
changes), ``conversation:12``, ``community:3`` (its feed), ``post:77`` (its comments). Each
kind is registered by the app that owns it (:func:`register_topic`, from
``AppConfig.ready()``), with three functions that ask the one policy *for that recipient, at
that moment*:

- ``authorize(user, key)``: may this person subscribe at all (refused → nothing is sent);
- ``deliver(user, key, event, data)``: the payload to send this person for this event, or
  ``None`` to drop it. It is called when the event is delivered, not when it was queued: a
  guest whose access ended a millisecond ago gets nothing;
- ``catch_up(user, key, after)``: the events after the last id the client saw, in order,
  for a client that reconnects (network drop, laptop lid, server restart). Stored first,
  broadcast after: nothing is lost, and the client drops ids it already shows.

The floor's notifications, digests and pages work with no socket at all: live events only
spare a reload.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction

logger = logging.getLogger(__name__)

# The channel-layer message type the consumer handles (``live_event``).
MESSAGE_TYPE = "live.event"
_TOPIC = re.compile(r"^(?P<kind>[a-z_]{1,30}):(?P<key>[A-Za-z0-9_-]{1,60})$")

Authorize = Callable[[Any, str], bool]
Deliver = Callable[[Any, str, str, dict], "dict | None"]
CatchUp = Callable[[Any, str, int], list[dict]]


@dataclass(frozen=True)
class TopicKind:
    authorize: Authorize
    deliver: Deliver
    catch_up: CatchUp | None = None


_kinds: dict[str, TopicKind] = {}


def register_topic(
    kind: str, *, authorize: Authorize, deliver: Deliver, catch_up: CatchUp | None = None
) -> None:
    """Let sockets subscribe to ``"<kind>:<key>"`` topics (from ``AppConfig.ready()``)."""
    topic_kind = TopicKind(authorize=authorize, deliver=deliver, catch_up=catch_up)
    if _kinds.get(kind, topic_kind) != topic_kind:
        raise ValueError(f"live topic kind {kind!r} is already registered")
    _kinds[kind] = topic_kind


def topic_kind(kind: str) -> TopicKind | None:
    return _kinds.get(kind)


def registered_kinds() -> frozenset[str]:
    return frozenset(_kinds)


def parse_topic(topic: Any) -> tuple[str, str] | None:
    """``(kind, key)`` of a well-formed topic of a registered kind, else None."""
    match = _TOPIC.match(topic) if isinstance(topic, str) else None
    if match is None or match["kind"] not in _kinds:
        return None
    return match["kind"], match["key"]


def topic(kind: str, key: Any) -> str:
    return f"{kind}:{key}"


def group_for(topic_name: str) -> str:
    """The channel-layer group of a topic (group names allow letters, digits, ``-_.``)."""
    return "live." + topic_name.replace(":", ".")


def publish(topic_name: str, event: str, data: dict | None = None, *, using: str | None = None):
    """Broadcast ``event`` on ``topic_name`` once the current transaction commits (at once
    outside one). ``data`` holds ids and small facts (JSON), never content a recipient may
    not see: each recipient's payload is built by the topic's ``deliver`` at delivery."""
    message = {"type": MESSAGE_TYPE, "topic": topic_name, "event": event, "data": data or {}}
    transaction.on_commit(lambda: send_now(group_for(topic_name), message), using=using)


def send_now(group: str, message: dict) -> None:
    """Hand one message to the channel layer. A broadcast never fails the write that caused
    it: a client that missed it catches up by id when it reconnects."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the usual case: a sync request, task or service
            async_to_sync(layer.group_send)(group, message)
        else:
            # A thread running an event loop (a browser test's driver, an async caller) may
            # not wait on it with async_to_sync: a short-lived thread sends instead.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(async_to_sync(layer.group_send), group, message).result(timeout=5)
    except Exception:  # the layer's Redis is down: pages still work, without live updates
        logger.warning("live event to %s not sent", group, exc_info=True)
