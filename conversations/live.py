"""The ``conversation:<id>`` live topic: who may subscribe, what each recipient receives,
and what a client that reconnects catches up on. Registered from ``ConversationsConfig.ready()``.

Every answer asks the policy for *this* person *now* (``permissions.can_view``): a guest
whose access ended a moment ago gets nothing, whatever her socket subscribed to earlier.
Payloads are HTML rendered for the recipient (her own edit and delete buttons, her
reactions), built from the ids the event carries (``services`` publish ids only).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext

from conversations import permissions, selectors
from conversations.models import Conversation, Message
from portal.core import live
from portal.core.http import positive_int

CATCH_UP_LIMIT = 200  # a client further behind reloads the page ("newer messages")
MESSAGE_EVENTS = frozenset({"message.new", "message.changed"})


def _conversation(user: Any, key: str) -> Conversation | None:
    pk = positive_int(key)
    if pk is None:
        return None
    conversation = Conversation.objects.select_related("community").filter(pk=pk).first()
    if conversation is None or not permissions.can_view(user, conversation):
        return None
    return conversation


def _language(user: Any):
    return translation.override(getattr(user, "language", "") or translation.get_language())


def authorize(user: Any, key: str) -> bool:
    return _conversation(user, key) is not None


def message_html(user: Any, conversation: Conversation, message: Message) -> str:
    with _language(user):
        return render_to_string(
            "conversations/_message.html",
            {"message": message, "conversation": conversation, "user": user, "live": True},
        )


def header_html(user: Any, conversation: Conversation) -> str:
    flags = selectors.flags_for(user=user, conversation=conversation)
    selectors.decorate_for_page(user=user, conversation=conversation)
    with _language(user):
        return render_to_string(
            "conversations/_header.html",
            {"conversation": conversation, "flags": flags, "user": user, "live": True},
        )


def deliver(user: Any, key: str, event: str, data: dict) -> dict | None:
    conversation = _conversation(user, key)
    if conversation is None:
        return None
    if event in MESSAGE_EVENTS:
        pk = positive_int(str(data.get("id", "")))
        message = pk and selectors.message_for_viewer(user=user, conversation=conversation, pk=pk)
        if not message:
            return None
        return {"id": message.pk, "html": message_html(user, conversation, message)}
    if event == "conversation.changed":
        return {"html": header_html(user, conversation)}
    return None


def catch_up(user: Any, key: str, after: int) -> list[dict]:
    """The messages after ``after``, oldest first, each a ``message.new`` for this person."""
    conversation = _conversation(user, key)
    if conversation is None or conversation.last_message_id <= after:
        return []
    page = selectors.history(conversation=conversation, after=after, size=CATCH_UP_LIMIT)
    flags = selectors.flags_for(user=user, conversation=conversation)
    selectors.decorate_messages(user=user, flags=flags, messages=page.messages)
    return [
        {
            "event": "message.new",
            "data": {"id": m.pk, "html": message_html(user, conversation, m)},
        }
        for m in page.messages
    ]


def register() -> None:
    live.register_topic("conversation", authorize=authorize, deliver=deliver, catch_up=catch_up)


def unread_payload(user: Any, data: dict) -> dict:
    """``messages.unread`` for ``user``, computed at delivery (in their language): the
    header's count and its spoken label."""
    count = selectors.unread_count(user)
    if count:
        label = ngettext("Messages, %(counter)s unread", "Messages, %(counter)s unread", count) % {
            "counter": count
        }
    else:
        label = gettext("Messages")
    return {"count": count, "label": label}


def register_user_events() -> bool:
    """``messages.unread`` on the person's own ``user:<id>`` topic, when the floor's
    user-event registry exists (``communities.live.register_user_event``, helper "pages");
    else the header's count stays on its two-minute poll (``selectors.unread_count``)."""
    try:
        from communities.live import register_user_event
    except ImportError:
        return False
    register_user_event("messages.unread", unread_payload)  # the same function: idempotent
    return True
