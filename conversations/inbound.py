"""Replies by e-mail into a conversation: the floor's inbound path
(``communities.inbound_mail``) checks the address's signature and age, the sender and the
size, then hands the text to :func:`reply_receive` as the address's owner. The reply is sent
through ``message_send``, so the policy decides: someone who may no longer write there (a
guest whose access ended, someone who left) is refused and gets their text back
(``conversations/email/reply_refused``)."""

from __future__ import annotations

from typing import Any

from communities.inbound_mail import ReplyKind
from conversations import services
from conversations.models import Conversation, Message
from conversations.notifications import REPLY_KIND


def reply_receive(*, user: Any, object_id: int, body: str) -> Message:
    conversation = Conversation.objects.select_related("community").filter(pk=object_id).first()
    if conversation is None:
        raise Conversation.DoesNotExist(object_id)
    return services.message_send(acting_user=user, conversation=conversation, body=body)


reply_kind = ReplyKind(
    kind=REPLY_KIND,
    receive=reply_receive,
    refused_template="conversations/email/reply_refused",
)
