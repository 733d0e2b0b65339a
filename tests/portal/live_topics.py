"""The ``conversation`` topic the transport tests need, when the app has not registered its own.

The conversations app registers ``conversation:<id>`` itself (``conversations/live.py``, issue
18's "messages" helper): then this module changes nothing and the tests run against it. Until
then it registers a minimal one on the same policy and the same rows, so the transport
(``portal/core/consumers.py``) is tested on what the contract promises of every
``conversation`` topic: subscribing needs VIEW, every payload carries the message ``id`` and is
built at delivery for the recipient, catch-up returns the messages after an id in order.

``tests/portal/live_asgi.py`` is the site's ASGI application with that topic ensured, for the
ASGI server processes of the stack test (``tests/portal/test_live_stack.py``).
"""

from __future__ import annotations

from typing import Any

from portal.core import live

CATCH_UP_LIMIT = 200


def _conversation(user: Any, key: str):
    from conversations import permissions
    from conversations.models import Conversation

    if not key.isdigit():
        return None
    conversation = Conversation.objects.select_related("community").filter(pk=int(key)).first()
    if conversation is None or not permissions.can_view(user, conversation):
        return None
    return conversation


def _authorize(user: Any, key: str) -> bool:
    return _conversation(user, key) is not None


def _deliver(user: Any, key: str, event: str, data: dict) -> dict | None:
    from conversations.models import Message

    conversation = _conversation(user, key)
    if conversation is None:
        return None
    if "id" not in data:
        return {}
    message = Message.objects.filter(conversation=conversation, pk=data["id"]).first()
    return None if message is None else {"id": message.pk, "body": message.body}


def _catch_up(user: Any, key: str, after: int) -> list[dict]:
    conversation = _conversation(user, key)
    if conversation is None:
        return []
    messages = conversation.messages.filter(pk__gt=after).order_by("pk")[:CATCH_UP_LIMIT]
    return [
        {"event": "message.new", "data": {"id": message.pk, "body": message.body}}
        for message in messages
    ]


def ensure_conversation_topic() -> None:
    if live.topic_kind("conversation") is None:
        live.register_topic(
            "conversation", authorize=_authorize, deliver=_deliver, catch_up=_catch_up
        )
