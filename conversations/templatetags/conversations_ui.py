"""Conversation entry points on pages the floor owns (profile, directory, member list, a
community's page, the header), without the floor importing this app: templates load this
library, the policy decides."""

from __future__ import annotations

from typing import Any

from django import template

from conversations import permissions, services

register = template.Library()


@register.simple_tag(takes_context=True)
def messageable_ids(context: Any, people: Any) -> set[int]:
    """Which of ``people`` (users, or memberships with ``user_id``) the reader may write to:
    one query for the whole list (``permissions.messageable_people``)."""
    user = context.get("user")
    ids = {getattr(p, "user_id", None) or getattr(p, "pk", None) for p in people or ()}
    ids.discard(None)
    if not ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(permissions.messageable_people(user).filter(pk__in=ids).values_list("pk", flat=True))


@register.simple_tag(takes_context=True)
def may_message(context: Any, person: Any) -> bool:
    from communities import permissions as policy

    return policy.can(context.get("user"), permissions.MESSAGE_PERSON, person)


@register.inclusion_tag("conversations/_chat_link.html", takes_context=True)
def community_chat_link(context: Any, community: Any) -> dict:
    """The "Chat" button of a community's page: shown when its chat is on (a project
    community's is, until its lead turns it off) and the reader may read it, or to those
    who may turn it on."""
    user = context.get("user")
    chat = getattr(community, "chat", None) if _has_chat(community) else None
    enabled = chat.is_enabled if chat is not None else services.chat_enabled_by_default(community)
    from communities import permissions as policy

    shown = (enabled and policy.can(user, policy.VIEW, community)) or permissions.can_configure(
        user, community
    )
    return {"community": community, "shown": shown, "enabled": enabled}


def _has_chat(community: Any) -> bool:
    try:
        community.chat  # noqa: B018 (the reverse one-to-one: one query, or DoesNotExist)
    except Exception:
        return False
    return True
