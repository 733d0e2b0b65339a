"""Who may do what in conversations: the conversations app's part of the one policy.

Built only on the community policy (``communities.permissions``) and the directory's rule
(``communities.selectors.people_visible_to``), registered into the policy from
``ConversationsConfig.ready()``; every caller asks ``permissions.can(user, VIEW, conversation)``.
Both forms: :func:`can_view` for one conversation, :func:`visible_q` / :func:`filter_visible`
for a queryset, generated from the same rules (tests/conversations/test_permissions.py checks
they agree).

- A **direct or group** conversation is open to its current participants. A guest's seat
  holds only while she shares an active community with another current participant: when
  her access ends (or she is removed from the last shared community) she can no longer read
  it, at once, whether or not the tidy-up that marks her seat as left has run.
- A **community chat** is open to whoever may read the community (its members, guests
  included, as members), while its lead keeps it on; writing needs the right to comment
  (so an archived community's chat is read-only). Leads moderate it.
- **Writing to someone** (starting a conversation, adding them) is the directory's rule in
  both directions: each may see the other.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from communities import permissions
from communities.models import Membership
from conversations.models import Conversation, Message, Participant

VIEW = "conversations.view_conversation"  # read it, and hear its live events
WRITE = "conversations.write_in_conversation"  # send, reply, react
ADD_PEOPLE = "conversations.add_people"  # a group conversation
RENAME = "conversations.rename_conversation"  # a group conversation
LEAVE = "conversations.leave_conversation"  # a direct or group conversation
MODERATE = "conversations.moderate_chat"  # a community chat: delete anyone's message, pin
CONFIGURE = "conversations.configure_chat"  # a community: turn its chat on or off
EDIT_MESSAGE = "conversations.edit_message"  # on a message
DELETE_MESSAGE = "conversations.delete_message"  # on a message
MESSAGE_PERSON = "conversations.message_person"  # on a person: start a conversation, add them

PRIVATE_KINDS = (Conversation.Kind.DIRECT, Conversation.Kind.GROUP)


def _my_communities(user: Any) -> QuerySet:
    return Membership.objects.filter(permissions.active_membership_q(), user=user.pk).values(
        "community"
    )


def _seat(user: Any, conversation_ref: Any) -> QuerySet:
    return Participant.objects.filter(
        conversation=conversation_ref, user=user.pk, left_at__isnull=True
    )


def _others_sharing_a_community(user: Any, conversation_ref: Any) -> QuerySet:
    """Current participants other than ``user`` who share an active community with them."""
    return (
        Participant.objects.filter(
            conversation=conversation_ref, left_at__isnull=True, user__is_active=True
        )
        .exclude(user=user.pk)
        .filter(
            Exists(
                Membership.objects.filter(
                    permissions.active_membership_q(),
                    user=OuterRef("user"),
                    community__in=_my_communities(user),
                )
            )
        )
    )


def visible_q(user: Any) -> Q:
    """Conversations ``user`` may read (the queryset form of :func:`can_view`)."""
    if not permissions.is_signed_in(user):
        return permissions.NOTHING
    private = Q(kind__in=PRIVATE_KINDS) & Q(Exists(_seat(user, OuterRef("pk"))))
    if permissions.is_guest(user):
        private &= Q(Exists(_others_sharing_a_community(user, OuterRef("pk"))))
    chats = Q(kind=Conversation.Kind.COMMUNITY, is_enabled=True) & permissions.permission_q(
        user, permissions.VIEW
    )
    return private | chats


def filter_visible(user: Any, queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return queryset.filter(visible_q(user))


def can_view(user: Any, conversation: Conversation) -> bool:
    if not permissions.is_signed_in(user):
        return False
    if conversation.is_community_chat:
        return conversation.is_enabled and permissions.can(
            user, permissions.VIEW, conversation.community
        )
    if not _seat(user, conversation.pk).exists():
        return False
    if permissions.is_guest(user):
        return _others_sharing_a_community(user, conversation.pk).exists()
    return True


def can_write(user: Any, conversation: Conversation) -> bool:
    """Read it and, in a community chat, may comment there (not archived); in a direct
    conversation, the other person is still in it."""
    if conversation.is_community_chat:
        return can_view(user, conversation) and permissions.can(
            user, permissions.COMMENT, conversation.community
        )
    if not can_view(user, conversation):
        return False
    if conversation.kind == Conversation.Kind.DIRECT:
        # Into the void, never: the other person must still be able to read it.
        others = Participant.objects.filter(
            conversation=conversation.pk, left_at__isnull=True
        ).exclude(user=user.pk)
        return any(can_view(seat.user, conversation) for seat in others.select_related("user"))
    return True


def _is_group(conversation: Conversation) -> bool:
    return conversation.kind == Conversation.Kind.GROUP


def can_add_people(user: Any, conversation: Conversation) -> bool:
    return _is_group(conversation) and can_write(user, conversation)


def can_rename(user: Any, conversation: Conversation) -> bool:
    return _is_group(conversation) and can_view(user, conversation)


def can_leave(user: Any, conversation: Conversation) -> bool:
    return not conversation.is_community_chat and can_view(user, conversation)


def can_moderate(user: Any, conversation: Conversation) -> bool:
    return conversation.is_community_chat and permissions.can(
        user, permissions.MODERATE, conversation.community
    )


def can_configure(user: Any, community: Any) -> bool:
    """Whoever manages a community turns its chat on or off."""
    return permissions.can(user, permissions.MANAGE, community)


def can_edit_message(user: Any, message: Message) -> bool:
    return (
        message.kind == Message.Kind.MESSAGE
        and message.deleted_at is None
        and permissions.is_signed_in(user)
        and message.author_id == user.pk
        and can_write(user, message.conversation)
    )


def can_delete_message(user: Any, message: Message) -> bool:
    if message.kind != Message.Kind.MESSAGE or message.deleted_at is not None:
        return False
    own = (
        permissions.is_signed_in(user)
        and message.author_id == user.pk
        and can_view(user, message.conversation)
    )
    return own or can_moderate(user, message.conversation)


def can_message_person(user: Any, person: Any) -> bool:
    """Start a conversation with ``person``, or add them to one: ``user`` may see them in
    the directory (a rule that holds both ways: a guest and the people she shares an active
    community with see each other), they are active, and it is not oneself."""
    if not permissions.is_signed_in(user) or person is None or person.pk == user.pk:
        return False
    return messageable_people(user).filter(pk=person.pk).exists()


def messageable_people(user: Any) -> QuerySet:
    """The queryset form of :func:`can_message_person`: the people ``user`` may write to."""
    from communities.selectors import people_visible_to

    if not permissions.is_signed_in(user):
        return people_visible_to(None)
    return people_visible_to(user).exclude(pk=user.pk)


def register() -> None:
    for perm, rule in {
        VIEW: can_view,
        WRITE: can_write,
        ADD_PEOPLE: can_add_people,
        RENAME: can_rename,
        LEAVE: can_leave,
        MODERATE: can_moderate,
        CONFIGURE: can_configure,
        EDIT_MESSAGE: can_edit_message,
        DELETE_MESSAGE: can_delete_message,
        MESSAGE_PERSON: can_message_person,
    }.items():
        permissions.register_rule(perm, rule)
