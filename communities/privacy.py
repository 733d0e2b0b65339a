"""What communities holds about a person, for "Your data" (``portal/accounts/privacy.py``):
memberships, posts, comments, likes, notifications and digest preferences.

Erasure keeps what people wrote where it is (a thread never loses a message; the author is
shown as "Former member"), together with its attachments and likes, which belong to the
conversation; it ends the memberships and removes what was addressed to the person, and
their mentions in other people's messages become plain text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from communities import permissions
from communities.models import (
    Comment,
    CommentLike,
    Community,
    DigestOutbox,
    DigestPreference,
    Membership,
    Notification,
    NotificationChoice,
    Post,
    PostAttachment,
    PostLike,
)
from communities.services import body_html_rerender, membership_end
from portal.accounts.privacy import (
    Contribution,
    Entry,
    FileEntry,
    JsonEntry,
    relabel_log_entries,
    rows,
    safe_name,
)


def communities_left_without_lead(user: Any) -> list[Community]:
    """Live communities of which ``user`` is the only active lead: they must not lose it
    (the same rule as leaving). Locks their lead rows until the end of the transaction,
    so two leads cannot both go at once."""
    led = Membership.objects.filter(
        permissions.active_membership_q(),
        user=user,
        role=Membership.Role.LEAD,
        community__archived_at__isnull=True,
    ).values("community")
    leads = Membership.objects.select_for_update().filter(
        permissions.active_membership_q(), community__in=led, role=Membership.Role.LEAD
    )
    counts: dict[int, int] = {}
    for community_id in leads.values_list("community_id", flat=True):
        counts[community_id] = counts.get(community_id, 0) + 1
    alone = [pk for pk, count in counts.items() if count == 1]
    return list(Community.objects.filter(pk__in=alone).order_by("name"))


def refuse(user: Any) -> list[str]:
    alone = communities_left_without_lead(user)
    if not alone:
        return []
    return [
        _(
            "%(name)s is the only lead of %(communities)s. Make someone else lead there "
            "first: a community never loses its last lead."
        )
        % {"name": user.name, "communities": ", ".join(c.name for c in alone)}
    ]


def export(user: Any) -> Iterator[Entry]:
    yield JsonEntry(
        "memberships.json",
        rows(
            Membership.objects.filter(user=user).select_related("community").order_by("pk"),
            lambda m: {
                "community": m.community.name,
                "community_slug": m.community.slug,
                "role": m.role,
                "status": m.status,
                "joined_at": m.joined_at,
                "expires_at": m.expires_at,
                "created_at": m.created_at,
            },
        ),
    )
    yield JsonEntry(
        "posts.json",
        rows(
            Post.objects.filter(author=user).select_related("community").order_by("pk"),
            lambda p: {
                "id": p.pk,
                "community": p.community.name,
                "body": p.body,
                "created_at": p.created_at,
                "edited_at": p.edited_at,
                "is_pinned": p.is_pinned,
                "is_hidden": p.is_hidden,
                "comment_count": p.comment_count,
                "like_count": p.like_count,
            },
        ),
    )
    yield JsonEntry(
        "comments.json",
        rows(
            Comment.objects.filter(author=user).select_related("post__community").order_by("pk"),
            lambda c: {
                "id": c.pk,
                "post": c.post_id,
                "community": c.post.community.name,
                "reply_to": c.parent_id,
                "body": c.body,
                "created_at": c.created_at,
                "edited_at": c.edited_at,
                "is_hidden": c.is_hidden,
                "like_count": c.like_count,
            },
        ),
    )
    yield JsonEntry(
        "likes.json",
        _likes(user),
    )
    yield JsonEntry(
        "notifications.json",
        rows(
            Notification.objects.filter(user=user).order_by("pk"),
            lambda n: {
                "kind": n.kind,
                "title": n.title,
                "url": n.url,
                "created_at": n.created_at,
                "read_at": n.read_at,
                "emailed_at": n.emailed_at,
                "channel": n.channel,
                "pushed_at": n.pushed_at,
            },
        ),
    )
    yield JsonEntry(
        "notification_choices.json",
        rows(
            NotificationChoice.objects.filter(user=user).order_by("pk"),
            lambda c: {"topic": c.topic, "channel": c.channel, "updated_at": c.updated_at},
        ),
    )
    yield JsonEntry(
        "digest_preferences.json",
        rows(
            DigestPreference.objects.filter(user=user).select_related("community").order_by("pk"),
            lambda d: {
                "community": d.community.name if d.community else None,
                "frequency": d.frequency,
            },
        ),
    )
    attachments = PostAttachment.objects.filter(post__author=user).order_by("pk")
    for attachment in attachments.iterator(chunk_size=500):
        yield FileEntry(
            f"files/posts/{attachment.post_id}/{attachment.pk}-{safe_name(attachment.name)}",
            attachment.file.storage,
            attachment.file.name,
        )


def _likes(user: Any):
    def produce() -> Iterator[dict]:
        posts = PostLike.objects.filter(user=user).order_by("pk")
        for like in posts.values("post_id", "created_at").iterator(chunk_size=500):
            yield {"post": like["post_id"], "created_at": like["created_at"]}
        comments = CommentLike.objects.filter(user=user).order_by("pk")
        for like in comments.values("comment_id", "created_at").iterator(chunk_size=500):
            yield {"comment": like["comment_id"], "created_at": like["created_at"]}

    return produce


def erase(user: Any, *, email: str) -> None:
    """Memberships end (left, through the lifecycle service), what was addressed to them
    goes (notifications, pending digests), and no digest is ever prepared again. Posts,
    comments, attachments and likes stay in their threads, by "Former member"."""
    # Through the lifecycle service, so that what they left open in each community (a review
    # waiting for them, their answers to coming events) is withdrawn as when they leave.
    ended = Membership.objects.filter(user=user).exclude(
        status__in=[
            Membership.Status.LEFT,
            Membership.Status.REMOVED,
            Membership.Status.ENDED,
            Membership.Status.EXPIRED,
        ]
    )
    for membership in ended.select_related("community", "user"):
        membership_end(acting_user=None, membership=membership, reason="erased")
    permissions.forget_roles(user)
    # The audit log named them in each membership's label ("<name> in <community>").
    relabel_log_entries(Membership, Membership.objects.filter(user=user).select_related("user"))
    Notification.objects.filter(user=user).delete()
    DigestOutbox.objects.filter(user=user).delete()
    DigestPreference.objects.filter(user=user).delete()
    NotificationChoice.objects.filter(user=user).delete()
    DigestPreference.objects.create(user=user, frequency=DigestPreference.Frequency.OFF)
    # Their mentions in other people's messages linked to a profile that is gone: rendered
    # again, they read as the plain text that was written. Done once here, so that
    # reading a thread checks nothing.
    posts = list(user.mentioned_in_posts.values_list("pk", flat=True))
    comments = list(user.mentioned_in_comments.values_list("pk", flat=True))
    user.mentioned_in_posts.clear()
    user.mentioned_in_comments.clear()
    body_html_rerender(queryset=Post.objects.filter(pk__in=posts))
    body_html_rerender(queryset=Comment.objects.filter(pk__in=comments))


contribution = Contribution(app="communities", export=export, erase=erase, refuse=refuse)
