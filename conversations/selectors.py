"""Reads in conversations, filtered by the policy for the person who asks."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from conversations import permissions
from conversations.models import Conversation


def conversation_get_for_user(*, user: Any, pk: int) -> Conversation:
    """One conversation ``user`` may read; ``Http404`` when it is missing *or* not theirs
    (what you may not see does not exist)."""
    conversation = Conversation.objects.select_related("community").filter(pk=pk).first()
    if conversation is None or not permissions.can_view(user, conversation):
        raise Http404
    return conversation


def conversations_visible_to(*, user: Any):
    """Every conversation ``user`` may read (the queryset form of the policy)."""
    return permissions.filter_visible(user, Conversation.objects.all())
