"""Reads filtered by who asks. Every function applies ``communities.permissions``; what a
user may not see raises Http404, exactly as for a missing id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from communities import extensions, permissions
from communities.models import Comment, CommentLike, Community, Membership, Post, PostLike
from portal.core.pagination import Page, keyset_page

User = get_user_model()

FEED_PAGE_SIZE = 20


# --- Communities ----------------------------------------------------------------------------


def community_list_visible_to(
    *, user: Any, include_my_archived: bool = False
) -> QuerySet[Community]:
    """Listed communities: not archived, that ``user`` may know exist, with their member
    count. Secret communities appear only to their members. With ``include_my_archived``,
    also the archived communities ``user`` is still a member of (they can still read them),
    after the others of theirs."""
    mine = permissions.member_q(user, prefix="")
    listed = Q(archived_at__isnull=True)
    if include_my_archived:
        listed |= mine
    return (
        permissions.filter(user, permissions.SEE, Community.objects.filter(listed))
        .annotate(is_mine=mine)
        .order_by("-is_mine", F("archived_at").asc(nulls_first=True), "name", "id")
    )


def communities_of(*, user: Any) -> QuerySet[Community]:
    """Communities where ``user`` holds an access-granting membership, by name."""
    return Community.objects.filter(
        permissions.member_q(user, prefix=""), archived_at__isnull=True
    ).order_by("name", "id")


UNREAD_CAP = 100  # "99+": counting stops there, so a never-opened busy community costs little


class _CappedCount(Subquery):
    """``COUNT(*)`` over a sliced subquery: counts at most the slice's rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


def communities_with_unread(*, user: Any) -> list[Community]:
    """The communities ``user`` is a member of, archived ones last, each with ``unread``:
    posts by others above the member's last-read mark, hidden ones left out, capped at
    ``UNREAD_CAP``; ``my_expires_at``: when the member's access ends (a guest's), or None;
    ``pending_requests``: how many people ask to join (the page shows it only to those who
    may answer them). One query whatever the number of communities (each count walks the
    (community, id) index of posts, or the (community, status, role) index of
    memberships)."""
    if not getattr(user, "is_authenticated", False):
        return []
    mine = Membership.objects.filter(user=user.pk, community=OuterRef("pk"))
    mark = Membership.objects.filter(user=user.pk, community=OuterRef(OuterRef("pk"))).values(
        "last_read_post_id"
    )[:1]
    newer = Post.objects.filter(
        community=OuterRef("pk"), id__gt=Subquery(mark), is_hidden=False
    ).exclude(author=user.pk)
    asking = Membership.objects.filter(
        community=OuterRef("pk"), status=Membership.Status.REQUESTED
    ).values("id")
    # Archived communities too, last: their members still read them (and are not told they
    # are in no community).
    return list(
        Community.objects.filter(permissions.member_q(user, prefix=""))
        .annotate(
            unread=_CappedCount(newer.values("id")[:UNREAD_CAP]),
            my_expires_at=Subquery(mine.values("expires_at")[:1]),
            pending_requests=_CappedCount(asking[:UNREAD_CAP]),
        )
        .order_by(F("archived_at").asc(nulls_first=True), "name", "id")
    )


def my_pending_memberships(*, user: Any) -> list[Membership]:
    """``user``'s invitations to answer and requests to join still waiting for a lead, in
    communities that are not archived (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(
            user=user.pk,
            status__in=[Membership.Status.INVITED, Membership.Status.REQUESTED],
            community__archived_at__isnull=True,
        )
        .select_related("community", "invited_by")
        .order_by("-created_at", "id")
    )


def community_get_for_user(*, user: Any, slug: str, perm: str = permissions.SEE) -> Community:
    """The community if ``user`` holds ``perm`` in it (SEE by default: archived ones
    included, for their members); Http404 otherwise."""
    community = Community.objects.filter(slug=slug).first()
    if community is None or not permissions.can(user, perm, community):
        raise Http404
    return community


def community_invitation_for_user(*, user: Any, slug: str) -> Membership:
    """A pending invitation of ``user`` (so an invitee can see a secret community's name)."""
    membership = (
        Membership.objects.select_related("community", "invited_by")
        .filter(user=user.pk, community__slug=slug, status=Membership.Status.INVITED)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def my_invitations(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(
        user=user.pk, status=Membership.Status.INVITED, community__archived_at__isnull=True
    ).select_related("community", "invited_by")


def members_of(*, user: Any, community: Community) -> QuerySet[Membership]:
    """Active members, leads first. Only for those who may VIEW the community."""
    if not permissions.can(user, permissions.VIEW, community):
        raise Http404
    return (
        Membership.objects.filter(permissions.active_membership_q(), community=community)
        .select_related("user")
        .order_by("role", "user__display_name", "user_id")
    )


def pending_requests(*, user: Any, community: Community) -> QuerySet[Membership]:
    if not permissions.can(user, permissions.MANAGE_MEMBERS, community):
        return Membership.objects.none()
    return Membership.objects.filter(
        community=community, status=Membership.Status.REQUESTED
    ).select_related("user")


def my_membership(*, user: Any, community: Community) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, community=community).first()


# --- People ---------------------------------------------------------------------------------


def people_visible_to(user: Any) -> QuerySet:
    """Who ``user`` may see (directory, profiles, member lists, @mention autocomplete).

    - anonymous or deactivated: nobody;
    - internal member: every active internal account, and the guests who share an active
      community with them;
    - guest: themself and the people who share an active community with them.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    active = User.objects.filter(is_active=True)
    shares_a_community = Exists(
        Membership.objects.filter(
            permissions.active_membership_q(),
            user=OuterRef("pk"),
            community__in=Membership.objects.filter(
                permissions.active_membership_q(), user=user.pk
            ).values("community"),
        )
    )
    if permissions.is_guest(user):
        return active.filter(Q(pk=user.pk) | shares_a_community)
    return active.filter(Q(is_external=False) | Q(pk=user.pk) | shares_a_community)


def people_ids_visible_to(user: Any, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` ``user`` may see (``people_visible_to``), in one query: whose name on
    a page links to their profile."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(people_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def mention_candidates(*, user: Any, community: Community, q: str, limit: int = 8) -> list:
    """People ``user`` may see who can read ``community``: the only ones worth mentioning
    (a mention of anyone else would tell them nothing and must not leak the post)."""
    people = people_visible_to(user).filter(Q(display_name__icontains=q) | Q(email__istartswith=q))
    return [
        person
        for person in people.order_by("display_name", "id")[: limit * 3]
        if permissions.can(person, permissions.VIEW, community)
    ][:limit]


# --- Posts and comments ---------------------------------------------------------------------


def _with_feed_relations(posts: QuerySet[Post], user: Any) -> QuerySet[Post]:
    posts = (
        posts.select_related("author", "community")
        .prefetch_related("attachments")
        .annotate(liked=Exists(PostLike.objects.filter(post=OuterRef("pk"), user=user.pk)))
    )
    return extensions.apply_post_hooks(posts)  # e.g. "via <integration>"


@dataclass
class Feed:
    page: Page
    pinned: list[Post]


def community_feed(*, user: Any, community: Community, cursor: str | None = None) -> Feed:
    """A community's posts, newest first, pinned announcements on the first page.
    Relies on the (community, id) index."""
    if not permissions.can(user, permissions.VIEW, community):
        raise Http404
    posts = Post.objects.filter(permissions.shown_q(user), community=community)
    posts = _with_feed_relations(posts, user)
    pinned = [] if cursor else list(posts.filter(is_pinned=True).order_by("-id")[:5])
    page = keyset_page(
        posts.filter(is_pinned=False),
        key="id",
        cursor=cursor,
        limit=FEED_PAGE_SIZE,
        descending=True,
    )
    return Feed(page=page, pinned=pinned)


def home_feed(*, user: Any, cursor: str | None = None) -> Page:
    """Posts of all the communities ``user`` is an active member of, newest first."""
    posts = Post.objects.filter(
        permissions.member_q(user),
        permissions.shown_q(user),
        community__archived_at__isnull=True,
    )
    posts = _with_feed_relations(posts, user)
    return keyset_page(posts, key="id", cursor=cursor, limit=FEED_PAGE_SIZE, descending=True)


def post_get_for_user(*, user: Any, pk: int) -> Post:
    try:
        post = _with_feed_relations(Post.objects.all(), user).get(pk=pk)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(user, permissions.VIEW, post.community):
        raise Http404
    if post.is_hidden and not permissions.can_see_hidden(user, post):
        raise Http404
    return post


def _visible_comments(user: Any, post: Post) -> QuerySet[Comment]:
    """Hidden comments stay visible to their author and the community's moderators."""
    comments = (
        Comment.objects.filter(post=post)
        .select_related("author")
        .annotate(liked=Exists(CommentLike.objects.filter(comment=OuterRef("pk"), user=user.pk)))
    )
    return comments.filter(permissions.shown_q(user, community=post.community))


def comments_in_order(
    *, user: Any, post: Post, after: int | None, limit: int
) -> tuple[list[Comment], bool]:
    """Comments and replies alike, in the order they were written, after the id ``after``
    (the API's pages): ``limit`` of them, and whether more follow. One query."""
    comments = _visible_comments(user, post).order_by("id")
    if after is not None:
        comments = comments.filter(id__gt=after)
    page = list(comments[: limit + 1])
    return page[:limit], len(page) > limit


def comment_visible(*, user: Any, post: Post, pk: int) -> Comment | None:
    """One comment of ``post`` as its page would show it to ``user`` (``liked`` included),
    or None when missing or hidden from them. ``post`` is one they may read."""
    return _visible_comments(user, post).filter(pk=pk).first()


COMMENTS_PAGE_SIZE = 50  # threads (a top-level comment and its replies) per page


@dataclass
class CommentPage:
    threads: list[Comment]  # top-level comments, each with ``reply_list``
    next_after: int | None  # the cursor of the next page, None at the end


def comments_for(
    *,
    user: Any,
    post: Post,
    after: int | None = None,
    showing: int | None = None,
    limit: int = COMMENTS_PAGE_SIZE,
) -> CommentPage:
    """A page of the post's threads, oldest first, after the top-level comment ``after``;
    long enough to hold the comment ``showing`` (a link to one comment opens the page at
    it). Two queries (threads, their replies), three with ``showing``."""
    comments = _visible_comments(user, post)
    threads = comments.filter(parent__isnull=True).order_by("id")
    if after is not None:
        threads = threads.filter(id__gt=after)
    if showing is not None:
        target = comments.filter(pk=showing).values_list("parent_id", "id").first()
        if target is not None:
            root = target[0] or target[1]
            limit = max(limit, threads.filter(id__lte=root).count())
    top = list(threads[: limit + 1])
    more = len(top) > limit
    top = top[:limit]
    replies: dict[int, list[Comment]] = {}
    if top:
        for reply in comments.filter(parent__in=[c.pk for c in top]).order_by("id"):
            replies.setdefault(reply.parent_id, []).append(reply)
    for comment in top:
        comment.reply_list = replies.get(comment.pk, [])
    return CommentPage(threads=top, next_after=top[-1].pk if more else None)


def comment_get_for_user(*, user: Any, pk: int) -> Comment:
    try:
        comment = Comment.objects.select_related("post__community", "author").get(pk=pk)
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    post_get_for_user(user=user, pk=comment.post_id)  # the same rules as its post
    if comment.is_hidden and not permissions.can_see_hidden(user, comment):
        raise Http404
    return comment


def hashtag_posts(*, user: Any, tag: str, cursor: str | None = None) -> Page:
    posts = Post.objects.filter(
        permissions.permission_q(user, permissions.VIEW),
        permissions.shown_q(user),
        community__archived_at__isnull=True,
        hashtags__name=tag.lower(),
    )
    posts = _with_feed_relations(posts, user)
    return keyset_page(posts, key="id", cursor=cursor, limit=FEED_PAGE_SIZE, descending=True)


# --- Search ---------------------------------------------------------------------------------


@dataclass
class SearchResults:
    communities: list[Community]
    posts: list[Post]
    comments: list[Comment]


def search(*, user: Any, q: str, limit: int = 20) -> SearchResults:
    """Communities, posts and comments ``user`` may see that match ``q``. PostgreSQL full
    text search (the 'simple' configuration: French and English alike) on PostgreSQL,
    a case-insensitive match on every word elsewhere."""
    q = " ".join(q.split())[:200]
    if not q:
        return SearchResults([], [], [])
    communities = community_list_visible_to(user=user)
    posts = Post.objects.filter(
        permissions.permission_q(user, permissions.VIEW),
        permissions.shown_q(user),
        community__archived_at__isnull=True,
    ).select_related("author", "community")
    comments = Comment.objects.filter(
        permissions.permission_q(user, permissions.VIEW, prefix="post__community__"),
        post__community__archived_at__isnull=True,
        is_hidden=False,
        post__is_hidden=False,
    ).select_related("author", "post__community")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(q, config="simple", search_type="websearch")
        communities = communities.annotate(
            sv=SearchVector("name", "description", config="simple")
        ).filter(sv=query)
        posts = posts.annotate(sv=SearchVector("body", config="simple")).filter(sv=query)
        comments = comments.annotate(sv=SearchVector("body", config="simple")).filter(sv=query)
    else:
        for word in q.split()[:6]:
            communities = communities.filter(
                Q(name__icontains=word) | Q(description__icontains=word)
            )
            posts = posts.filter(body__icontains=word)
            comments = comments.filter(body__icontains=word)
    return SearchResults(
        communities=list(communities[:limit]),
        posts=list(posts.order_by("-id")[:limit]),
        comments=list(comments.order_by("-id")[:limit]),
    )
