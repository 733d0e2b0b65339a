"""Conversations: direct messages, group conversations and one chat per community.

Who may read and write a conversation is the policy's business
(``conversations/permissions.py``); these rows only record who takes part and what was said.
A direct or group conversation is open to its current participants (``Participant`` with no
``left_at``); a community chat is open to whoever may read the community, so it follows the
membership at once (its ``Participant`` rows keep read marks and muting, nothing more).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community

MAX_PARTICIPANTS = 50  # a group conversation, its author included


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct message")
        GROUP = "group", _("Group conversation")
        COMMUNITY = "community", _("Community chat")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Group conversations may be named; a direct one reads as the other person's name, a
    # community chat as its community's.
    title = models.CharField(_("name"), max_length=120, blank=True)
    community = models.OneToOneField(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="chat"
    )
    # A community chat its lead turned off: nobody reads or writes it, the history stays.
    is_enabled = models.BooleanField(default=True)
    # "<smaller user id>-<larger user id>": one direct conversation per pair of people.
    direct_key = models.CharField(max_length=41, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Kept by the services on every new message: the list orders by it without a join.
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["direct_key"], condition=~Q(direct_key=""), name="one_direct_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(kind="community", community__isnull=False)
                | (~Q(kind="community") & Q(community__isnull=True)),
                name="community_chat_has_community",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.kind})"

    def get_absolute_url(self) -> str:
        return reverse("conversations:detail", args=[self.pk])

    @property
    def is_community_chat(self) -> bool:
        return self.kind == self.Kind.COMMUNITY


class Participant(models.Model):
    """A person in a conversation: while ``left_at`` is empty (direct and group
    conversations), plus their read mark and muting (every kind)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_seats"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    # The id of the last message this person has read (0: none).
    last_read_id = models.PositiveBigIntegerField(default=0)
    # Messages up to this id were already considered for a notification or an e-mail.
    notified_id = models.PositiveBigIntegerField(default=0)
    is_muted = models.BooleanField(_("muted"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_seat_per_person")
        ]
        indexes = [models.Index(fields=["user", "conversation"], name="seat_user_conversation")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        # Written by the services: someone joined, left, was added, renamed the conversation.
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")
        ADDED = "added", _("added someone")
        RENAMED = "renamed", _("renamed the conversation")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    # The person a system message is about (who was added); None for ordinary messages.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_messages"
    )
    is_pinned = models.BooleanField(default=False)
    # Makes a message sent twice (a double click, a retry after a drop) one message.
    client_token = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A deleted message keeps its place ("message deleted"); its text and files are gone.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # History pages and catch-up read a conversation by id, newest first or after one.
            models.Index(fields=["conversation", "id"], name="message_conversation_id"),
            models.Index(
                fields=["conversation", "id"], condition=Q(is_pinned=True), name="message_pinned"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="message_unique_client_token",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.conversation_id}"

    def get_absolute_url(self) -> str:
        """The conversation, opened at this message (history is paged)."""
        url = reverse("conversations:detail", args=[self.conversation_id])
        return f"{url}?at={self.pk}#message-{self.pk}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="conversations/attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    is_image = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


# The reactions a message offers: a small fixed set, as chats do.
REACTIONS = ("👍", "❤️", "😄", "🎉", "👀", "✅")


class MessageReaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "emoji"], name="one_reaction_per_emoji"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.emoji} {self.message_id}"
