"""The one policy: who may do what in a community.

Roles map to permissions here and nowhere else. Views, templates, selectors and other apps
ask this module (directly or through ``user.has_perm(perm, obj)``, answered by
``communities.backends.CommunityBackend``); nobody compares roles by hand.

A membership grants something only while ``status`` is active and ``expires_at`` has not
passed: both are checked on every request, so a revoked or expired guest loses access at
once. A user's active roles are loaded with one query and kept on the user object for the
rest of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from communities.models import Community, Membership
from portal.core import principals

# Site-wide facts about an account (portal/core/principals.py), part of the policy's vocabulary.
is_signed_in = _is_signed_in = principals.is_signed_in
is_guest = principals.is_guest
is_administrator = principals.is_administrator

APP = "communities"
VIEW = "communities.view_community"  # read the community's content and member list
POST = "communities.post_in_community"
COMMENT = "communities.comment_in_community"
REACT = "communities.react_in_community"
JOIN = "communities.join_community"  # join an open community at once
REQUEST = "communities.request_community"  # ask to join a private community
LEAVE = "communities.leave_community"
MODERATE = "communities.moderate_community"  # pin, hide, delete anything
MANAGE_MEMBERS = "communities.manage_members"  # invite, approve, promote, remove
# See the community's guests and end their access: the part of managing members that an
# archived community still needs (a lead must be able to close a partner's access there).
REVIEW_ACCESS = "communities.review_access"
MANAGE = "communities.manage_community"  # edit, archive, restore
SEE = "communities.see_community"  # know it exists: name, description (not the content)
# The community's calendar (events app). Reading the agenda is VIEW.
RSVP = "communities.rsvp_event"  # answer yes / maybe / no
ADD_EVENT = "communities.add_event"  # leads; members too when the community allows it
MANAGE_EVENTS = "communities.manage_events"  # edit or cancel any event, import a calendar

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Membership.Role.LEAD: frozenset(
        {SEE, VIEW, POST, COMMENT, REACT, LEAVE, MODERATE, MANAGE_MEMBERS, REVIEW_ACCESS}
        | {MANAGE, RSVP, ADD_EVENT, MANAGE_EVENTS}
    ),
    Membership.Role.MEMBER: frozenset({SEE, VIEW, POST, COMMENT, REACT, LEAVE, RSVP}),
    # Partners read, comment, react and answer invitations to events; leads publish.
    Membership.Role.GUEST: frozenset({SEE, VIEW, COMMENT, REACT, LEAVE, RSVP}),
}
# Granted on top of the member role when the community lets members add events.
MEMBER_EVENTS = frozenset({ADD_EVENT})
# Internal people who are not members.
NON_MEMBER_OPEN = frozenset({SEE, VIEW, JOIN})
NON_MEMBER_PRIVATE = frozenset({SEE, REQUEST})
# Administrators (superusers) can see and steer every community, secret ones included.
ADMINISTRATOR = frozenset(
    {SEE, VIEW, MODERATE, MANAGE_MEMBERS, REVIEW_ACCESS, MANAGE, MANAGE_EVENTS}
)
# What an archived community still allows: reading, a lead restoring it, and leads and
# administrators reviewing and ending guests' access.
ARCHIVED_ALLOWED = frozenset({SEE, VIEW, MANAGE, REVIEW_ACCESS})
# What the general community never allows: every internal account is in it, for good.
GENERAL_REFUSED = frozenset({LEAVE})
# Every permission above, for tests and reports.
ALL = frozenset().union(
    *ROLE_PERMISSIONS.values(),
    MEMBER_EVENTS,
    NON_MEMBER_OPEN,
    NON_MEMBER_PRIVATE,
    ADMINISTRATOR,
)


def active_membership_q(prefix: str = "", *, now=None) -> Q:
    """The condition for a membership that grants access, for use in querysets."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": Membership.Status.ACTIVE}) & (
        Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})
    )


def active_roles(user: Any) -> dict[int, str]:
    """``{community_id: role}`` of ``user``'s access-granting memberships (one query,
    then cached on the user object for the request)."""
    if not _is_signed_in(user):
        return {}
    cached = getattr(user, "_community_roles", None)
    if cached is None:
        cached = dict(
            Membership.objects.filter(active_membership_q(), user=user).values_list(
                "community_id", "role"
            )
        )
        user._community_roles = cached
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles after a membership of ``user`` changed."""
    if user is not None and hasattr(user, "_community_roles"):
        del user._community_roles


def role_in(user: Any, community: Community) -> str | None:
    return active_roles(user).get(community.pk)


def permissions_for(user: Any, community: Community) -> frozenset[str]:
    """Everything ``user`` may do in ``community``."""
    if not _is_signed_in(user):
        return frozenset()
    role = role_in(user, community)
    perms: frozenset[str]
    if role is not None:
        perms = ROLE_PERMISSIONS[role]
        if role == Membership.Role.MEMBER and community.members_add_events:
            perms = perms | MEMBER_EVENTS
    elif user.is_external:
        perms = frozenset()  # guests see their communities and nothing else
    elif community.is_general or community.visibility == Community.Visibility.OPEN:
        perms = NON_MEMBER_OPEN
    elif community.visibility == Community.Visibility.PRIVATE:
        perms = NON_MEMBER_PRIVATE
    else:
        perms = frozenset()
    if user.is_superuser:
        perms = perms | ADMINISTRATOR
    return frozenset(perm for perm in perms if state_allows(community, perm))


def state_allows(community: Community, perm: str) -> bool:
    """Whether the community's state (archived, general) lets anybody do ``perm`` there:
    the last step of :func:`permissions_for`, also for rights held outside roles (a guest's
    sponsor)."""
    if community.is_archived and perm not in ARCHIVED_ALLOWED:
        return False
    return not (community.is_general and perm in GENERAL_REFUSED)


def can(user: Any, perm: str, obj: Any) -> bool:
    """The one entry point: may ``user`` do ``perm`` on ``obj``? A community permission
    (``obj`` is the community), or an object rule registered under ``perm`` (see "Object
    rules" below: member actions, reviews, guest management, sharing)."""
    rule = _rules.get(perm)
    if rule is not None:
        return rule(user, obj)
    return perm in permissions_for(user, obj)


def can_view_object(user: Any, obj: Any, *, explicit_perm: str) -> bool:
    """Read one object of a community: the community's readers, or a person holding an
    explicit django-guardian grant ``explicit_perm`` on this very object (a document shared
    with one outside reviewer). The grant opens that object and nothing else."""
    community = community_of(obj)
    if community is not None and can(user, VIEW, community):
        return True
    return _is_signed_in(user) and user.has_perm(explicit_perm, obj)


def can_read_page(user: Any, page: Any) -> bool:
    """An editorial page: scoped to a community, for that community's readers; otherwise
    for everyone, except guests, who read only the pages marked visible to them. (Wagtail's
    own privacy settings apply on top.)"""
    community_id = getattr(page, "community_id", None)
    if community_id is not None:
        return can(user, VIEW, page.community)
    return not is_guest(user) or getattr(page, "visible_to_guests", False)


def readable_pages_q(user: Any) -> Q:
    """The queryset form of :func:`can_read_page`, for editorial pages with ``community``
    and ``visible_to_guests`` fields."""
    unscoped = Q(community__isnull=True)
    if is_guest(user):
        unscoped &= Q(visible_to_guests=True)
    return permission_q(user, VIEW) | unscoped


def can_publish_to_community(user: Any, page: Any) -> bool:
    """Push a published page into its community's feed: whoever may publish the page in
    Wagtail (its page permissions), while the community is not archived; never a guest."""
    community = getattr(page, "community", None)
    return (
        _is_signed_in(user)
        and not is_guest(user)
        and community is not None
        and community.archived_at is None
        and page.permissions_for_user(user).can_publish()
    )


def can_edit(user: Any, item: Any) -> bool:
    """Authors edit their own post (while they may still post there) or comment (while
    they may still comment)."""
    community = community_of(item)
    needed = POST if getattr(item, "post_id", None) is None else COMMENT
    return (
        community is not None
        and _is_signed_in(user)
        and item.author_id == user.pk
        and can(user, needed, community)
    )


def can_delete(user: Any, item: Any) -> bool:
    """Authors delete their own posts and comments; moderators delete anything."""
    community = community_of(item)
    if community is None or not _is_signed_in(user):
        return False
    own = item.author_id == user.pk and can(user, VIEW, community)
    return own or can(user, MODERATE, community)


def can_see_hidden(user: Any, item: Any) -> bool:
    """A hidden post or comment stays visible to its author and the moderators."""
    community = community_of(item)
    return community is not None and (
        (_is_signed_in(user) and item.author_id == user.pk) or can(user, MODERATE, community)
    )


def can_change_event(user: Any, event: Any) -> bool:
    """Edit or cancel an event: whoever manages the calendar, or its author while they may
    still add events there."""
    community = community_of(event)
    if community is None or not _is_signed_in(user):
        return False
    if can(user, MANAGE_EVENTS, community):
        return True
    return event.created_by_id == user.pk and can(user, ADD_EVENT, community)


def can_create_community(user: Any) -> bool:
    """Any internal member; guests never."""
    return _is_signed_in(user) and not user.is_external


def can_find_communities(user: Any) -> bool:
    """Browse the communities one is not in and ask to join them: internal people only. A
    guest enters a community only through an invitation, so pages never offer her more."""
    return _is_signed_in(user) and not user.is_external


def community_of(obj: Any) -> Community | None:
    """The community an object belongs to (a community, a post, a comment, anything with
    a ``community`` attribute)."""
    if isinstance(obj, Community):
        return obj
    community = getattr(obj, "community", None)
    if isinstance(community, Community):
        return community
    post = getattr(obj, "post", None)
    if post is not None:
        return community_of(post)
    return None


# --- The same policy, applied to querysets (one Exists subquery, whatever the count) -----
#
# ``permission_q`` is ``permissions_for`` read backwards: the same tables, step by step, give
# a condition on rows instead of a set for one community, so a list and a detail page never
# disagree (tests/communities/test_policy_agreement.py checks every case). ``prefix`` is the
# path from the rows to their community: "" for communities, "community__" (the default) for
# posts, events, documents…, "post__community__" for comments.

NOTHING = Q(pk__in=[])  # matches no row
EVERYTHING = ~Q(pk__in=[])  # matches every row (unlike ``Q()``, it survives ``|``)


def _memberships(user: Any, prefix: str) -> QuerySet[Membership]:
    """``user``'s access-granting memberships of the row's community (for ``Exists``)."""
    return Membership.objects.filter(
        active_membership_q(),
        user=user if isinstance(user, F) else user.pk,
        community=OuterRef(f"{prefix}pk"),
    )


def member_q(user: Any, prefix: str = "community__", *, roles: Any = None) -> Q:
    """Rows of the communities where ``user`` holds an access-granting membership (of one
    of ``roles``): "my communities", whatever the community allows (see ``permission_q``
    for that). ``user`` may also be a reference to the rows' own person
    (``OuterRef("actor")``): "whose author is still a member"."""
    if user is None or (not isinstance(user, F) and getattr(user, "pk", None) is None):
        return NOTHING
    memberships = _memberships(user, prefix)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Q(Exists(memberships))


def permission_q(user: Any, perm: str, prefix: str = "community__") -> Q:
    """Condition on rows: ``user`` holds ``perm`` in the row's community. The queryset form
    of :func:`permissions_for` (role, else the non-member rules; the administrator's set;
    archived; general). Exists subqueries only: the query count never grows with the
    number of communities."""
    if not _is_signed_in(user):
        return NOTHING
    if user.is_superuser and perm in ADMINISTRATOR:
        q = EVERYTHING
    else:
        roles = [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
        every_role = len(roles) == len(ROLE_PERMISSIONS)
        q = member_q(user, prefix, roles=None if every_role else roles) if roles else NOTHING
        if perm in MEMBER_EVENTS and Membership.Role.MEMBER not in roles:
            q |= member_q(user, prefix, roles=[Membership.Role.MEMBER]) & Q(
                **{f"{prefix}members_add_events": True}
            )
        if not user.is_external:
            # Non-members; when every role holds ``perm`` anyway, "not a member" need not
            # be spelled out.
            no_role = Q() if every_role else ~member_q(user, prefix)
            open_ = Q(**{f"{prefix}is_general": True}) | Q(
                **{f"{prefix}visibility": Community.Visibility.OPEN}
            )
            if perm in NON_MEMBER_OPEN:
                q |= no_role & open_
            if perm in NON_MEMBER_PRIVATE:
                private = Q(**{f"{prefix}visibility": Community.Visibility.PRIVATE})
                q |= no_role & ~open_ & private
    if perm not in ARCHIVED_ALLOWED:
        q &= Q(**{f"{prefix}archived_at__isnull": True})
    if perm in GENERAL_REFUSED:
        q &= Q(**{f"{prefix}is_general": False})
    return q


def _default_prefix(queryset: QuerySet) -> str:
    return "" if issubclass(queryset.model, Community) else "community__"


def filter(user: Any, perm: str, queryset: QuerySet, *, prefix: str | None = None) -> QuerySet:
    """The rows of ``queryset`` whose community lets ``user`` do ``perm``: the queryset form
    of :func:`can` (Wagtail's ``instances_user_has_permission_for`` beside
    ``user_has_permission_for_instance``). Communities, or any model with a ``community``
    relation; another path to the community goes in ``prefix``."""
    if prefix is None:
        prefix = _default_prefix(queryset)
    return queryset.filter(permission_q(user, perm, prefix))


def see_hidden_q(user: Any, prefix: str = "community__") -> Q:
    """The queryset form of :func:`can_see_hidden`: rows (posts, comments) whose author is
    ``user`` or whose community ``user`` may moderate. In an archived community nobody
    moderates, so a hidden post is listed exactly when its page opens."""
    q = permission_q(user, MODERATE, prefix)
    if _is_signed_in(user):
        q = Q(author=user.pk) | q
    return q


def shown_q(user: Any, prefix: str = "community__", *, community: Any = None) -> Q:
    """Posts (or, with ``prefix="post__community__"``, comments) ``user`` may see as far as
    hiding goes: those not hidden, and the hidden ones of :func:`see_hidden_q`. Rows of one
    known ``community`` ask whether ``user`` moderates it once, without a subquery."""
    if community is None:
        return Q(is_hidden=False) | see_hidden_q(user, prefix)
    if can(user, MODERATE, community):
        return EVERYTHING
    return Q(is_hidden=False) | (Q(author=user.pk) if _is_signed_in(user) else NOTHING)


def _explicit_grants_q(user: Any, model: type, explicit_perm: str) -> Q:
    """Rows of ``model`` on which ``user`` holds the django-guardian grant ``explicit_perm``
    (its direct-foreign-key permission models, user and group), as Exists subqueries."""
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    app_label, codename = explicit_perm.split(".", 1)
    wanted = {
        "permission__codename": codename,
        "permission__content_type__app_label": app_label,
        "content_object": OuterRef("pk"),
    }
    q = Q(Exists(get_user_obj_perms_model(model).objects.filter(user=user.pk, **wanted)))
    groups = get_group_obj_perms_model(model).objects.filter(
        group__in=user.groups.values("pk"), **wanted
    )
    return q | Q(Exists(groups))


def filter_viewable(
    user: Any, queryset: QuerySet, *, explicit_perm: str, prefix: str = "community__"
) -> QuerySet:
    """The queryset form of :func:`can_view_object`: rows of a community ``user`` may VIEW,
    and rows explicitly shared with ``user`` (a django-guardian grant ``explicit_perm``; an
    active superuser holds every grant, as in ``user.has_perm``)."""
    q = permission_q(user, VIEW, prefix)
    if _is_signed_in(user):
        if user.is_superuser:
            q = EVERYTHING
        else:
            q |= _explicit_grants_q(user, queryset.model, explicit_perm)
    return queryset.filter(q)


# --- Object rules: one function per action on one object, registered by name ----------------
#
# Rules that are not a community permission (promote this member, decide this review, end
# this guest's access) are functions ``rule(user, obj) -> bool`` registered under a name;
# ``can(user, name, obj)`` and ``user.has_perm(name, obj)`` answer them. The floor registers
# its own below; upper apps keep theirs in their own ``permissions`` module, built on this
# one, and register them from ``AppConfig.ready()`` (as Wagtail apps register permission
# policies), so the floor never imports them. A rule says who may act; the state of the
# object (a closed review, a request already answered) stays with the service, which says
# why in its message. Ask ``can()``: Django's ``user.has_perm`` says yes to an active
# superuser before any backend is asked, even where a rule says no (removing oneself).

Rule = Callable[[Any, Any], bool]
_rules: dict[str, Rule] = {}


def register_rule(perm: str, rule: Rule) -> None:
    """Answer ``perm`` with ``rule``. Called from ``AppConfig.ready()``; registering the same
    rule again is harmless, another rule under a taken name is a mistake."""
    if _rules.get(perm, rule) is not rule:
        raise ValueError(f"{perm} is already answered by another rule")
    _rules[perm] = rule


def registered_rules() -> frozenset[str]:
    """The names of every registered object rule (for tests and reports)."""
    return frozenset(_rules)


def is_guest_account(person: Any) -> bool:
    """Whether an account is a partner's, signed in or not, active or not: for labels, and
    for the person acted upon (an invitation, the general community). Who may do what as
    a guest is ``is_guest``."""
    return bool(getattr(person, "is_external", False))


def is_guest_membership(membership: Membership) -> bool:
    """A partner's membership (sponsored, with an end date)."""
    return membership.role == Membership.Role.GUEST


def stays_in_general(membership: Membership) -> bool:
    """Every internal account is in the general community for good: nobody removes it."""
    return membership.community.is_general and not is_guest_membership(membership)


PROMOTE_MEMBER = "communities.promote_member"  # make a member lead
DEMOTE_MEMBER = "communities.demote_member"  # make a lead member
REMOVE_MEMBER = "communities.remove_member"


def _manages_someone_else(user: Any, membership: Membership) -> bool:
    """Managing members acts on others: one's own membership changes by leaving."""
    return (
        _is_signed_in(user)
        and membership.user_id != user.pk
        and can(user, MANAGE_MEMBERS, membership.community)
    )


def can_promote_member(user: Any, membership: Membership) -> bool:
    return _manages_someone_else(user, membership) and membership.role == Membership.Role.MEMBER


def can_demote_member(user: Any, membership: Membership) -> bool:
    return _manages_someone_else(user, membership) and membership.role == Membership.Role.LEAD


def can_remove_member(user: Any, membership: Membership) -> bool:
    return _manages_someone_else(user, membership) and not stays_in_general(membership)


ARCHIVE = "communities.archive_community"  # archive, or restore, a community


def can_archive(user: Any, community: Community) -> bool:
    """Whoever manages a community archives and restores it; the general one stays."""
    return not community.is_general and can(user, MANAGE, community)


register_rule(ARCHIVE, can_archive)
register_rule(PROMOTE_MEMBER, can_promote_member)
register_rule(DEMOTE_MEMBER, can_demote_member)
register_rule(REMOVE_MEMBER, can_remove_member)


def member_actions(user: Any, community: Community, memberships: Any) -> None:
    """Set ``can_promote``, ``can_demote`` and ``can_remove`` on each membership of
    ``community``'s list, for this viewer. No query: the viewer's roles are cached, and each
    row needs only its own role and user id (its community is the one given)."""
    for membership in memberships:
        membership.community = community
        membership.can_promote = can_promote_member(user, membership)
        membership.can_demote = can_demote_member(user, membership)
        membership.can_remove = can_remove_member(user, membership)
