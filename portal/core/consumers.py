"""The live socket: one WebSocket per browser tab (``/ws/live/``), multiplexing the topics its
page shows. The contract is ``portal/core/live.py``'s; this is its transport.

- Only a signed-in, active person connects (the session, through Channels' auth middleware;
  the Origin is checked against ``ALLOWED_HOSTS`` in ``portal/asgi.py``). The socket hears
  its own ``user:<id>`` topic from the start.
- ``{"action": "subscribe", "topic": "conversation:12", "after": 345}`` asks the topic's
  ``authorize`` (refused → ``subscribe.refused``, and nothing is ever sent for it); with
  ``after``, the topic's ``catch_up`` events come first, in order, then ``caught_up``.
  ``{"action": "unsubscribe", "topic": ...}`` stops it. Any other frame is ignored.
- Every event is turned into a frame by the topic's ``deliver`` for *this* person when it
  arrives, never when it was subscribed: whoever may no longer see it gets nothing.
- ``access.changed`` on the person's own topic closes the socket at once (code 4403); the
  client reconnects and every subscription is authorized again.

A consumer handles one message at a time, so events that arrive while a catch-up is read
wait for it and are sent after it; those the catch-up already sent are dropped.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model

from portal.core import live, principals

logger = logging.getLogger(__name__)

# A page shows a handful of topics (its conversation, the bell, a feed); a socket asking for
# more is a runaway script: the rest are refused.
MAX_SUBSCRIPTIONS = 50
# Larger text frames are not ours (a subscribe is ~60 bytes): ignored unread.
MAX_FRAME_BYTES = 4096
# The person is read again from the database at most this often (seconds), so ``deliver``
# sees a deactivation even if its ``access.changed`` was lost.
USER_REFRESH_SECONDS = 5
# Close code of a socket whose person's access changed (4000-4999: the application's own).
CLOSE_ACCESS_CHANGED = 4403
ACCESS_CHANGED = "access.changed"


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if not principals.is_signed_in(user):
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        self.user = user
        self.user_refreshed_at = time.monotonic()
        self.own_topic = live.topic("user", user.pk)
        # topic -> {(event, id)} sent by its last catch-up (a live event repeating one is
        # dropped: it was queued while the catch-up was read).
        self.subscriptions: dict[str, set[tuple[str, Any]]] = {}
        self.closing = False
        await self.accept()
        await self.channel_layer.group_add(live.group_for(self.own_topic), self.channel_name)

    async def disconnect(self, code: int) -> None:
        own = getattr(self, "own_topic", None)
        if own is None:
            return
        for name in [own, *self.subscriptions]:
            await self.channel_layer.group_discard(live.group_for(name), self.channel_name)
        self.subscriptions = {}

    # --- client → server ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if text_data is None or len(text_data) > MAX_FRAME_BYTES or self.closing:
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(frame)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("topic"), str):
            return
        action, name = content.get("action"), content["topic"]
        if action == "subscribe":
            after = content.get("after")
            if after is not None and (
                isinstance(after, bool) or not isinstance(after, int) or after < 0
            ):
                after = None  # a page without a last id: no catch-up
            await self.subscribe(name, after)
        elif action == "unsubscribe" and name in self.subscriptions:
            del self.subscriptions[name]
            await self.channel_layer.group_discard(live.group_for(name), self.channel_name)

    async def subscribe(self, name: str, after: int | None) -> None:
        parsed = live.parse_topic(name)
        fresh = name not in self.subscriptions and name != self.own_topic
        if (
            parsed is None
            or (fresh and len(self.subscriptions) >= MAX_SUBSCRIPTIONS)
            or not await self._authorize(*parsed)
        ):
            await self.send_json({"topic": name, "event": "subscribe.refused"})
            return
        if fresh:
            await self.channel_layer.group_add(live.group_for(name), self.channel_name)
        sent: set[tuple[str, Any]] = set()
        if name != self.own_topic:
            self.subscriptions[name] = sent
        if after is not None:
            for item in await self._catch_up(*parsed, after):
                event, data = _catch_up_item(item)
                if data.get("id") is not None:
                    sent.add((event, data["id"]))
                await self.send_json({"topic": name, "event": event, "data": data})
        await self.send_json({"topic": name, "event": "caught_up"})

    # --- server → client (channel layer) ------------------------------------------------

    async def live_event(self, message: dict) -> None:
        name, event = message.get("topic"), message.get("event")
        data = message.get("data") or {}
        if self.closing:
            return
        if name == self.own_topic and event == ACCESS_CHANGED:
            # What this person may see changed: every subscription must be authorized
            # again, which the client does by reconnecting.
            self.closing = True
            await self.send_json({"topic": name, "event": event})
            await self.close(code=CLOSE_ACCESS_CHANGED)
            return
        if name != self.own_topic:
            if name not in self.subscriptions:
                return  # an event queued before an unsubscribe
            if data.get("id") is not None and (event, data["id"]) in self.subscriptions[name]:
                return  # already sent by the catch-up
        parsed = live.parse_topic(name)
        if parsed is None:
            return
        payload = await self._deliver(*parsed, event, data)
        if payload is not None and not self.closing:
            await self.send_json({"topic": name, "event": event, "data": payload})

    # --- the topic's functions, in a thread, each asking the policy now ------------------

    @database_sync_to_async
    def _authorize(self, kind: str, key: str) -> bool:
        self._refresh_user()
        topic_kind = live.topic_kind(kind)
        try:
            return bool(
                topic_kind
                and principals.is_signed_in(self.user)
                and topic_kind.authorize(self.user, key)
            )
        except Exception:
            logger.exception("live: authorize %s:%s failed", kind, key)
            return False

    @database_sync_to_async
    def _deliver(self, kind: str, key: str, event: str, data: dict) -> dict | None:
        self._refresh_user()
        topic_kind = live.topic_kind(kind)
        if topic_kind is None or not principals.is_signed_in(self.user):
            return None
        try:
            return topic_kind.deliver(self.user, key, event, data)
        except Exception:
            logger.exception("live: deliver %s on %s:%s failed", event, kind, key)
            return None

    @database_sync_to_async
    def _catch_up(self, kind: str, key: str, after: int) -> list:
        topic_kind = live.topic_kind(kind)
        if topic_kind is None or topic_kind.catch_up is None:
            return []
        try:
            return list(topic_kind.catch_up(self.user, key, after))
        except Exception:
            logger.exception("live: catch-up of %s:%s failed", kind, key)
            return []

    def _refresh_user(self) -> None:
        """The person as the database has them now (deactivated, turned into a guest…), at
        most every USER_REFRESH_SECONDS: the policy reads the user object it is given."""
        if time.monotonic() - self.user_refreshed_at < USER_REFRESH_SECONDS:
            return
        fresh = get_user_model().objects.filter(pk=self.user.pk).first()
        if fresh is None:
            fresh = self.user
            fresh.is_active = False
        self.user, self.user_refreshed_at = fresh, time.monotonic()


def _catch_up_item(item: dict) -> tuple[str, dict]:
    """A catch-up item is ``{"event": ..., "data": {...}}`` (the payload for this person);
    a bare payload is a ``message.new``."""
    if "event" in item:
        return str(item["event"]), dict(item.get("data") or {})
    return "message.new", dict(item)
