"""Writes on communities. Each service checks the policy itself (views have already
answered 404 for what the user may not see), runs in one transaction, and records an
``Activity`` row in it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from communities import extensions, markup, permissions
from communities import live as pages_live
from communities.models import (
    Activity,
    Comment,
    CommentLike,
    Community,
    Hashtag,
    Membership,
    Notification,
    Post,
    PostAttachment,
    PostLike,
)
from communities.notifications import bell_changed, notify
from portal.accounts.models import ERASED_EMAIL_DOMAIN
from portal.core import files
from portal.core.tasks import send_templated_email_on_commit

Kind = Notification.Kind

User = get_user_model()
Verb = Activity.Verb
Role = Membership.Role
Status = Membership.Status


def _require(user: Any, perm: str, obj: Any) -> None:
    """``perm`` on a community, or an object rule on ``obj`` (see the policy)."""
    if not permissions.can(user, perm, obj):
        raise PermissionDenied(perm)


def activity_record(*, community: Community, actor: Any, verb: str, target: Any = None) -> Activity:
    activity = Activity(community=community, actor=actor, verb=verb)
    if target is not None:
        activity.target = target
    activity.save()
    return activity


# --- Communities ----------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "community"
    slug, n = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def community_create(
    *,
    acting_user: Any,
    name: str,
    kind: str = Community.Kind.PROJECT,
    visibility: str = Community.Visibility.OPEN,
    description: str = "",
    cover: Any = None,
    members_add_events: bool = False,
    color: str = "",
) -> Community:
    """Create a community; its creator becomes its lead."""
    if not permissions.can_create_community(acting_user):
        raise PermissionDenied("create community")
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("A community needs a name."))
    if kind == Community.Kind.GENERAL:
        raise ValidationError(_("There is only one general community."))
    if color not in {"", *Community.Accent.values}:
        raise ValidationError(_("Choose one of the colours."))
    community = Community(
        name=name,
        slug=_unique_slug(name),
        kind=kind,
        visibility=visibility,
        description=description.strip(),
        members_add_events=members_add_events,
        color=color,
        created_by=acting_user,
    )
    if cover:
        community.cover.save(files.random_name(cover.name), cover, save=False)
    community.save()
    activity_record(community=community, actor=acting_user, verb=Verb.COMMUNITY_CREATED)
    # The creation says who leads it: no "joined" activity besides.
    membership_grant(
        acting_user=acting_user, user=acting_user, community=community, role=Role.LEAD, verb=None
    )
    return community


@transaction.atomic
def community_update(*, acting_user: Any, community: Community, **fields: Any) -> Community:
    """Change what a lead may change. ``cover``: a new upload (stored under a random key),
    ``False`` to remove it, ``None`` or the stored file to keep it; a replaced or removed
    cover is deleted from storage once the change is committed."""
    _require(acting_user, permissions.MANAGE, community)
    allowed = {"name", "description", "kind", "visibility", "cover", "color"}
    allowed |= {"members_add_events"}
    if set(fields) - allowed:
        raise ValueError(f"Not editable: {sorted(set(fields) - allowed)}")
    if community.is_general:
        fields.pop("kind", None)
        fields.pop("visibility", None)
    if "name" in fields:
        fields["name"] = " ".join(fields["name"].split())
        if not fields["name"]:
            raise ValidationError(_("A community needs a name."))
    if fields.get("color", "") not in {"", *Community.Accent.values}:
        raise ValidationError(_("Choose one of the colours."))
    cover = fields.pop("cover", None)
    old_cover = community.cover.name if community.cover else ""
    if cover is False:
        community.cover = ""
    elif cover and not isinstance(cover, FieldFile):  # a new upload
        community.cover.save(files.random_name(cover.name), cover, save=False)
    for key, value in fields.items():
        setattr(community, key, value)
    community.save()
    if old_cover and old_cover != (community.cover.name if community.cover else ""):
        storage = community.cover.storage
        transaction.on_commit(lambda: storage.delete(old_cover))
    activity_record(community=community, actor=acting_user, verb=Verb.COMMUNITY_UPDATED)
    return community


@transaction.atomic
def community_archive(*, acting_user: Any, community: Community) -> Community:
    _require(acting_user, permissions.MANAGE, community)
    if community.is_general:
        raise ValidationError(_("The general community cannot be archived."))
    if community.archived_at is None:
        community.archived_at = timezone.now()
        community.save(update_fields=["archived_at", "updated_at"])
        activity_record(community=community, actor=acting_user, verb=Verb.COMMUNITY_ARCHIVED)
        log(instance=community, action="communities.archive", user=acting_user)
    return community


@transaction.atomic
def community_restore(*, acting_user: Any, community: Community) -> Community:
    _require(acting_user, permissions.MANAGE, community)
    if community.archived_at is not None:
        community.archived_at = None
        community.save(update_fields=["archived_at", "updated_at"])
        activity_record(community=community, actor=acting_user, verb=Verb.COMMUNITY_RESTORED)
        log(instance=community, action="communities.restore", user=acting_user)
    return community


def general_community() -> Community:
    community = Community.objects.filter(is_general=True).first()
    if community is not None:
        return community
    try:
        with transaction.atomic():
            return Community.objects.create(
                name=settings.COMMUNITIES_GENERAL_NAME,
                slug="general",
                kind=Community.Kind.GENERAL,
                visibility=Community.Visibility.OPEN,
                is_general=True,
                description=str(_("Everyone in the organisation.")),
            )
    except IntegrityError:  # created meanwhile by another request
        return Community.objects.get(is_general=True)


@transaction.atomic
def membership_ensure_general(*, user: Any) -> Membership | None:
    """Every internal account is an active member of the general community; guests never."""
    community = general_community()
    membership = Membership.objects.filter(user=user, community=community).first()
    if permissions.is_guest_account(user):
        if membership is not None:
            membership.delete()
            permissions.forget_roles(user)
        return None
    if membership is None or membership.status != Status.ACTIVE:
        role = membership.role if membership is not None else Role.MEMBER
        return membership_grant(acting_user=user, user=user, community=community, role=role)
    permissions.forget_roles(user)
    return membership


# --- Memberships ----------------------------------------------------------------------------


def _lock(membership: Membership) -> Membership:
    """The row again, locked. It keeps the caller's user object, on which the policy cached
    the roles that the lifecycle then forgets."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if Membership.user.is_cached(membership):
        locked.user = membership.user
    return locked


def _active_leads(community: Community) -> int:
    return Membership.objects.filter(
        permissions.active_membership_q(), community=community, role=Role.LEAD
    ).count()


def membership_mark_read(*, membership: Membership | None, post_id: int) -> None:
    """Remember the newest post a member has seen in the feed (the home page counts what
    is above it as unread). The mark never moves back, and nothing is written when it
    does not move, so re-reading a feed costs no write."""
    if membership is None or post_id <= membership.last_read_post_id:
        return
    Membership.objects.filter(pk=membership.pk, last_read_post_id__lt=post_id).update(
        last_read_post_id=post_id
    )
    membership.last_read_post_id = post_id


@transaction.atomic
def membership_join(*, acting_user: Any, community: Community) -> Membership:
    """Join an open community at once, or ask to join a private one (its leads decide)."""
    perms = permissions.permissions_for(acting_user, community)
    existing = (
        Membership.objects.select_for_update().filter(user=acting_user, community=community).first()
    )
    if existing is not None and existing.status in (Status.ACTIVE, Status.REQUESTED):
        return existing  # a second click changes nothing
    if existing is not None and existing.status == Status.REMOVED:
        raise ValidationError(
            _("A lead removed you from this community; ask a lead to invite you.")
        )
    if existing is not None and existing.status == Status.INVITED:
        return membership_accept(acting_user=acting_user, membership=existing)
    if permissions.JOIN in perms:
        return membership_grant(acting_user=acting_user, user=acting_user, community=community)
    if permissions.REQUEST not in perms:
        raise PermissionDenied("join")
    # Asking to join grants nothing yet: the lifecycle starts when a lead approves.
    membership = existing or Membership(user=acting_user, community=community)
    membership.role = Role.MEMBER
    membership.status = Status.REQUESTED
    membership.joined_at = None
    membership.save()
    permissions.forget_roles(acting_user)
    activity_record(
        community=community, actor=acting_user, verb=Verb.MEMBER_REQUESTED, target=membership
    )
    leads = list(
        Membership.objects.filter(
            permissions.active_membership_q(), community=community, role=Role.LEAD
        ).values_list("user_id", flat=True)
    )
    notify(
        users=User.objects.filter(pk__in=leads),
        kind=Kind.JOIN_REQUEST,
        actor=acting_user,
        community=community,
        title=community.name,
        url=reverse("communities:members", args=[community.slug]),
    )
    send_templated_email_on_commit(
        "communities/email/join_requested",
        user_ids=leads,
        context={
            "community_name": community.name,
            "asker_name": acting_user.name,
            "members_url": reverse("communities:members", args=[community.slug]),
        },
    )
    return membership


@transaction.atomic
def membership_decide(*, acting_user: Any, membership: Membership, approve: bool) -> Membership:
    """A lead approves or declines a request to join; the asker is told by e-mail.
    Deciding twice changes nothing the second time."""
    membership = _lock(membership)
    community = membership.community
    _require(acting_user, permissions.MANAGE_MEMBERS, community)
    if membership.status != Status.REQUESTED:
        return membership
    if approve:
        membership = membership_grant(
            acting_user=acting_user,
            user=membership.user,
            community=community,
            role=membership.role,
            verb=Verb.MEMBER_APPROVED,
        )
        template = "communities/email/request_approved"
    else:
        # A request declined never granted anything: they may ask again later.
        membership.status = Status.LEFT
        membership.save(update_fields=["status", "updated_at"])
        activity_record(
            community=community, actor=acting_user, verb=Verb.MEMBER_DECLINED, target=membership
        )
        template = "communities/email/request_declined"
    notify(
        users=[membership.user],
        kind=Kind.JOIN_ANSWER,
        actor=acting_user,
        # Declined: the community is not theirs to read, so the notice stands on its own.
        community=community if approve else None,
        title=community.name,
        url=reverse("communities:detail", args=[community.slug]),
    )
    send_templated_email_on_commit(
        template,
        user_ids=[membership.user_id],
        context={
            "community_name": community.name,
            "community_url": reverse("communities:detail", args=[community.slug]),
        },
    )
    return membership


@transaction.atomic
def membership_invite(*, acting_user: Any, community: Community, user: Any) -> Membership:
    """A lead invites an internal member; the invitee accepts or declines. (Guests are
    invited by e-mail with the guests app.)"""
    _require(acting_user, permissions.MANAGE_MEMBERS, community)
    if permissions.is_guest_account(user):
        raise ValidationError(
            _("%(name)s is a guest: invite guests from the guests page.") % {"name": user.name}
        )
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    membership = (
        Membership.objects.select_for_update().filter(user=user, community=community).first()
    )
    if membership is not None and membership.status == Status.ACTIVE:
        raise ValidationError(_("%(name)s is already a member.") % {"name": user.name})
    if membership is not None and membership.status == Status.REQUESTED:
        return membership_decide(acting_user=acting_user, membership=membership, approve=True)
    membership = membership or Membership(user=user, community=community)
    membership.role = Role.MEMBER
    membership.status = Status.INVITED
    membership.invited_by = acting_user
    membership.save()
    activity_record(
        community=community, actor=acting_user, verb=Verb.MEMBER_INVITED, target=membership
    )
    notify(
        users=[user],
        kind=Kind.INVITATION,
        actor=acting_user,
        title=community.name,
        url=reverse("communities:invitation", args=[community.slug]),
    )
    send_templated_email_on_commit(
        "communities/email/invited",
        user_ids=[user.pk],
        context={
            "community_name": community.name,
            "inviter_name": acting_user.name,
            "invitation_url": reverse("communities:invitation", args=[community.slug]),
        },
    )
    return membership


@transaction.atomic
def membership_accept(*, acting_user: Any, membership: Membership) -> Membership:
    membership = _lock(membership)
    if membership.user_id != acting_user.pk or membership.status != Status.INVITED:
        raise PermissionDenied("accept")
    membership = membership_grant(
        acting_user=acting_user,
        user=acting_user,
        community=membership.community,
        role=membership.role,
        invited_by=membership.invited_by,
    )
    # The invitation is answered: its notification needs no more attention.
    if Notification.objects.filter(
        user=acting_user.pk,
        kind=Kind.INVITATION,
        url=reverse("communities:invitation", args=[membership.community.slug]),
        read_at__isnull=True,
    ).update(read_at=timezone.now()):
        bell_changed([acting_user])
    return membership


@transaction.atomic
def membership_decline_invitation(*, acting_user: Any, membership: Membership) -> None:
    membership = _lock(membership)
    if membership.user_id != acting_user.pk or membership.status != Status.INVITED:
        raise PermissionDenied("decline")
    # An invitation declined never granted anything: no lifecycle step, nothing to withdraw.
    membership.status = Status.LEFT
    membership.save(update_fields=["status", "updated_at"])


def _refuse_losing_last_lead(membership: Membership) -> None:
    if (
        membership.role == Role.LEAD
        and membership.status == Status.ACTIVE
        and _active_leads(membership.community) <= 1
    ):
        raise ValidationError(
            _("A community needs at least one lead: make someone else lead first.")
        )


# --- The membership lifecycle -----------------------------------------------------------------
#
# A membership starts granting access (``membership_grant``), has its end date moved
# (``membership_extend``), changes role (``membership_set_role``) and stops granting access
# (``membership_end``) here and nowhere else (tests/communities/test_lifecycle.py greps for
# other writers). Each step writes the row, one ``Activity``, one entry in Wagtail's audit log,
# forgets the cached roles and tells the providers the upper apps registered
# (``communities.extensions``), in one transaction. Who may take the step is the caller's
# check, as the same step has different rules: a guest accepting an invitation, a lead
# approving a request, a sponsor extending access, the nightly job.

LOG_GRANT = "communities.membership.grant"
LOG_EXTEND = "communities.membership.extend"
LOG_END = "communities.membership.end"
LOG_ROLE = "communities.membership.role"


def _log_membership(membership: Membership, action: str, acting_user: Any, **data: Any) -> None:
    log(instance=membership, action=action, user=acting_user, data=data)


def _forget_roles(membership: Membership, acting_user: Any) -> None:
    """The cached roles live on the user object the policy was asked about: the row's, and
    the acting user's when the person acts on their own membership (a separate object)."""
    permissions.forget_roles(membership.user)
    if acting_user is not None and acting_user.pk == membership.user_id:
        permissions.forget_roles(acting_user)


def _changed(membership: Membership, acting_user: Any, change: str) -> None:
    extensions.run_membership_changed_hooks(
        extensions.MembershipChanged(membership=membership, acting_user=acting_user, change=change)
    )


@transaction.atomic
def membership_grant(
    *,
    acting_user: Any | None,
    user: Any,
    community: Community,
    role: str = Role.MEMBER,
    expires_at: Any = None,
    invited_by: Any = None,
    verb: str | None = Verb.MEMBER_JOINED,
) -> Membership:
    """The one way a membership starts granting access, or grants it again with the role
    and end date given (an invitation accepted again). Creates the row or reactivates the
    person's row in ``community`` (invited, asked to join, left, removed, ended, expired).
    ``verb`` names the activity (joined, approved); None only where the caller records one
    that says it already (the creator of a community leads it). Checks no permission."""
    if role not in Role.values:
        raise ValueError(role)
    membership = (
        Membership.objects.select_for_update().filter(user=user, community=community).first()
    )
    was_active = membership is not None and membership.status == Status.ACTIVE
    membership = membership or Membership(user=user, community=community)
    membership.role = role
    membership.status = Status.ACTIVE
    if not was_active or membership.joined_at is None:
        membership.joined_at = timezone.now()
    membership.expires_at = expires_at
    if invited_by is not None:
        membership.invited_by = invited_by
    membership.save()
    _forget_roles(membership, acting_user)
    permissions.forget_roles(user)
    if verb is not None:
        activity_record(community=community, actor=acting_user, verb=verb, target=membership)
    _log_membership(
        membership,
        LOG_GRANT,
        acting_user,
        role=role,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    _changed(membership, acting_user, "granted")
    return membership


@transaction.atomic
def membership_extend(
    *, acting_user: Any | None, membership: Membership, expires_at: Any
) -> Membership:
    """Move the end of a membership's access to ``expires_at``; one that had ended or
    expired grants access again (a guest's access renewed). Checks no permission."""
    membership.expires_at = expires_at
    membership.status = Status.ACTIVE
    membership.save(update_fields=["expires_at", "status", "updated_at"])
    _forget_roles(membership, acting_user)
    activity_record(
        community=membership.community,
        actor=acting_user,
        verb=Verb.MEMBER_EXTENDED,
        target=membership,
    )
    _log_membership(
        membership,
        LOG_EXTEND,
        acting_user,
        role=membership.role,
        expires_at=expires_at.isoformat(),
    )
    _changed(membership, acting_user, "extended")
    return membership


# How each reason leaves the row, and the activity that says it: a person who left may come
# back (join again, or be let in again); a removed one waits for a lead.
_ENDED_STATUS = {
    "left": (Status.LEFT, Verb.MEMBER_LEFT),
    "erased": (Status.LEFT, Verb.MEMBER_LEFT),
    "removed": (Status.REMOVED, Verb.MEMBER_REMOVED),
    "ended": (Status.ENDED, Verb.MEMBER_ENDED),
    "expired": (Status.EXPIRED, Verb.MEMBER_EXPIRED),
}


@transaction.atomic
def membership_end(*, acting_user: Any | None, membership: Membership, reason: str) -> Membership:
    """The one way a membership ends: the person leaves, a lead removes them, a lead or the
    sponsor ends a guest's access, the end date passes, the account is erased.

    Writes the row, forgets the cached roles, records the activity and the audit log entry
    (with the reason), then runs the registered membership-ended hooks in the same
    transaction (documents take the person off the running reviews they can no longer
    read, events withdraw their answers to coming events, guests tell the sponsor on
    commit) when it was active. Checks no permission: the callers do, each its own."""
    if reason not in extensions.ENDED_REASONS:
        raise ValueError(reason)
    was_active = membership.status == Status.ACTIVE
    status, verb = _ENDED_STATUS[reason]
    membership.status = status
    fields = ["status", "updated_at"]
    if reason == "ended":
        membership.expires_at = timezone.now()
        fields.append("expires_at")
    membership.save(update_fields=fields)
    _forget_roles(membership, acting_user)
    activity_record(community=membership.community, actor=acting_user, verb=verb, target=membership)
    _log_membership(membership, LOG_END, acting_user, reason=reason)
    if was_active:  # an invitation or a request to join that ends left nothing open
        extensions.run_membership_ended_hooks(
            extensions.MembershipEnded(
                membership=membership, acting_user=acting_user, reason=reason
            )
        )
    return membership


@transaction.atomic
def membership_leave(*, acting_user: Any, community: Community) -> None:
    _require(acting_user, permissions.LEAVE, community)
    # Lock the community's lead rows so two leads leaving at once cannot both succeed.
    list(Membership.objects.select_for_update().filter(community=community, role=Role.LEAD))
    membership = Membership.objects.select_related("user").get(
        user=acting_user, community=community
    )
    _refuse_losing_last_lead(membership)
    membership_end(acting_user=acting_user, membership=membership, reason="left")


@transaction.atomic
def membership_remove(*, acting_user: Any, membership: Membership) -> Membership:
    community = membership.community
    _require(acting_user, permissions.MANAGE_MEMBERS, community)
    list(Membership.objects.select_for_update().filter(community=community, role=Role.LEAD))
    membership = _lock(membership)
    if permissions.stays_in_general(membership):
        raise ValidationError(_("Everyone in the organisation stays in the general community."))
    _refuse_losing_last_lead(membership)
    _require(acting_user, permissions.REMOVE_MEMBER, membership)  # someone else, not oneself
    return membership_end(acting_user=acting_user, membership=membership, reason="removed")


# The rule that allows each change of role.
_ROLE_CHANGES = {Role.LEAD: permissions.PROMOTE_MEMBER, Role.MEMBER: permissions.DEMOTE_MEMBER}


@transaction.atomic
def membership_set_role(*, acting_user: Any, membership: Membership, role: str) -> Membership:
    community = membership.community
    _require(acting_user, permissions.MANAGE_MEMBERS, community)
    rule = _ROLE_CHANGES.get(role)
    if rule is None:
        raise ValidationError(_("Unknown role."))
    list(Membership.objects.select_for_update().filter(community=community, role=Role.LEAD))
    membership = _lock(membership)
    if membership.status != Status.ACTIVE:
        raise ValidationError(_("Only active members can change role."))
    if permissions.is_guest_membership(membership):
        raise ValidationError(_("A guest stays a guest: leads and members have internal accounts."))
    if membership.role == role:
        return membership
    if rule == permissions.DEMOTE_MEMBER:
        _refuse_losing_last_lead(membership)
    _require(acting_user, rule, membership)  # someone else's role, not one's own
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    permissions.forget_roles(membership.user)
    activity_record(
        community=community, actor=acting_user, verb=Verb.MEMBER_ROLE_CHANGED, target=membership
    )
    _log_membership(membership, LOG_ROLE, acting_user, role=role)
    _changed(membership, acting_user, "role_changed")
    return membership


# --- Posts and comments ---------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError(_("Write something first."), code="empty")
    if len(body) > markup.MAX_LENGTH:
        raise ValidationError(
            _("This is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(body), "limit": markup.MAX_LENGTH},
            code="too_long",
        )
    return body


def _resolve_mentions(*, author: Any, community: Community, body: str) -> dict:
    """Mentioned people the author may see *and* who can read the community: a mention of
    anyone else stays plain text and tells them nothing."""
    from communities.selectors import people_visible_to

    wanted = markup.extract_mentions(body)
    if not wanted:
        return {}
    names = {name for name, _pk in wanted}
    candidates = list(people_visible_to(author).filter(display_name__in=names)[:50])
    resolved = {}
    for name, pk in wanted:
        matches = [p for p in candidates if p.display_name == name and (pk is None or p.pk == pk)]
        if len(matches) == 1 and permissions.can(matches[0], permissions.VIEW, community):
            resolved[(name, pk)] = matches[0]
    return resolved


def _hashtag_url() -> str:
    return reverse("communities:hashtag", args=["TAG"]).replace("TAG", "{}")


def _render(*, author: Any, community: Community, body: str) -> tuple[str, list]:
    people = _resolve_mentions(author=author, community=community, body=body)
    html = markup.render(
        body,
        hashtag_url=_hashtag_url(),
        mentions={
            key: (person.name, reverse("accounts:person", args=[person.pk]))
            for key, person in people.items()
        },
    )
    return html, list({p.pk: p for p in people.values()}.values())


def body_preview_html(*, acting_user: Any, community: Community, body: str) -> str:
    """What ``body`` would look like as a post by ``acting_user`` in ``community``: the
    HTML the feed would show (nothing is saved, nobody is notified)."""
    return _render(author=acting_user, community=community, body=body)[0]


# --- Rendering again what was stored ----------------------------------------------------------


def _stored_mentions(body: str, people: Sequence[dict]) -> dict:
    """The mentions of ``body`` resolved to the people its author mentioned when writing it
    (the ``mentions`` relation, as ``_resolve_mentions`` decided then), without the people
    erased or deactivated since (a guest whose access ended): their mention reads as plain
    text, as nobody may see their profile (``people_visible_to`` shows active accounts
    only). A deactivated person stays in the relation: their mentions link again when they
    come back (``mentions_rerender``)."""
    people = [
        p
        for p in people
        if p.get("is_active", True) and not p["email"].endswith(f"@{ERASED_EMAIL_DOMAIN}")
    ]
    resolved = {}
    for name, pk in markup.extract_mentions(body):
        matches = [
            p for p in people if (p["pk"] == pk if pk is not None else p["display_name"] == name)
        ]
        if len(matches) == 1:
            url = reverse("accounts:person", args=[matches[0]["pk"]])
            resolved[(name, pk)] = (name, url)
    return resolved


def body_html_rerender(*, queryset: Any, batch_size: int = 500) -> int:
    """Render again the stored Markdown of the posts or comments in ``queryset`` with
    today's renderer, keeping the mentions their authors made (minus erased people) and,
    for posts, indexing exactly the hashtags the text now links. Returns how many rows
    changed. Reads only fields and relations, never model methods, so that a data
    migration can hand it historical models."""
    model = queryset.model
    mentions = model._meta.get_field("mentions")
    own, person = mentions.m2m_field_name(), mentions.m2m_reverse_field_name()
    has_tags = any(f.name == "hashtags" for f in model._meta.many_to_many)
    hashtag_url = _hashtag_url()
    changed, last = 0, 0
    while True:
        rows = list(
            queryset.filter(pk__gt=last).order_by("pk").only("pk", "body", "body_html")[:batch_size]
        )
        if not rows:
            return changed
        last = rows[-1].pk
        ids = [row.pk for row in rows]
        people: dict[int, list[dict]] = {pk: [] for pk in ids}
        for link in mentions.remote_field.through.objects.filter(**{f"{own}_id__in": ids}).values(
            f"{own}_id",
            f"{person}_id",
            f"{person}__display_name",
            f"{person}__email",
            f"{person}__is_active",
        ):
            people[link[f"{own}_id"]].append(
                {
                    "pk": link[f"{person}_id"],
                    "display_name": link[f"{person}__display_name"],
                    "email": link[f"{person}__email"],
                    "is_active": link[f"{person}__is_active"],
                }
            )
        dirty = []
        for row in rows:
            html = markup.render(
                row.body,
                hashtag_url=hashtag_url,
                mentions=_stored_mentions(row.body, people[row.pk]),
            )
            if html != row.body_html:
                row.body_html = html
                dirty.append(row)
        model.objects.bulk_update(dirty, ["body_html"])
        changed += len(dirty)
        if has_tags:
            _reindex_hashtags(model, rows)


def mentions_rerender(*, user: Any) -> None:
    """Render again the posts and comments that mention ``user``, after their account was
    deactivated (their mentions become plain text) or reactivated (links again). Done once
    here, so that reading a thread checks nothing."""
    body_html_rerender(queryset=Post.objects.filter(mentions=user.pk))
    body_html_rerender(queryset=Comment.objects.filter(mentions=user.pk))


def _reindex_hashtags(model: Any, rows: Sequence[Any]) -> None:
    field = model._meta.get_field("hashtags")
    through, tag_model = field.remote_field.through, field.related_model
    own, tag = field.m2m_field_name(), field.m2m_reverse_field_name()
    stored: dict[int, set[str]] = {row.pk: set() for row in rows}
    for link in through.objects.filter(**{f"{own}_id__in": list(stored)}).values_list(
        f"{own}_id", f"{tag}__name"
    ):
        stored[link[0]].add(link[1])
    for row in rows:
        names = markup.extract_hashtags(row.body)
        if set(names) != stored[row.pk]:
            row.hashtags.set([tag_model.objects.get_or_create(name=name)[0] for name in names])


def _set_hashtags(post: Post) -> None:
    names = markup.extract_hashtags(post.body)
    existing = {h.name: h for h in Hashtag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _created = Hashtag.objects.get_or_create(name=name)
    post.hashtags.set(existing.values())


@transaction.atomic
def post_create(
    *,
    acting_user: Any,
    community: Community,
    body: str,
    client_token: str = "",
    attachments: Sequence[Any] = (),
) -> Post:
    """Publish a post. ``attachments`` are uploaded files already validated by the form
    (``is_image`` set on each)."""
    _require(acting_user, permissions.POST, community)
    body = _clean_body(body)
    client_token = client_token[:64]
    if client_token:
        earlier = Post.objects.filter(author=acting_user, client_token=client_token).first()
        if earlier is not None:
            return earlier  # the same form submitted twice
    html, mentioned = _render(author=acting_user, community=community, body=body)
    post = Post.objects.create(
        community=community,
        author=acting_user,
        body=body,
        body_html=html,
        client_token=client_token,
    )
    _set_hashtags(post)
    post.mentions.set(mentioned)
    for upload in attachments:
        attachment = PostAttachment(
            post=post,
            name=upload.name[:200],
            size=upload.size,
            is_image=bool(getattr(upload, "is_image", False)),
        )
        # stored under a random key: the person's file name is shown, never a storage key
        attachment.file.save(files.random_name(upload.name), upload, save=False)
        attachment.save()
    activity_record(community=community, actor=acting_user, verb=Verb.POST_CREATED, target=post)
    notify(
        users=mentioned,
        kind=Kind.MENTION,
        actor=acting_user,
        community=community,
        title=body,
        url=reverse("communities:post", args=[post.pk]),
        post=post,
    )
    pages_live.publish_post_new(post)
    return post


@transaction.atomic
def post_create_for_page(*, acting_user: Any, page: Any, body: str) -> Post:
    """An editor pushes a published editorial page into the feed of the community it is
    scoped to. The right is the page's (``permissions.can_publish_to_community``): an
    editor need not be a member. The post is an ordinary one from then on (comments, likes,
    activity stream, digests); nobody is notified one by one."""
    if not permissions.can_publish_to_community(acting_user, page):
        raise PermissionDenied("publish_to_community")
    community = page.community
    body = _clean_body(body)
    html, _mentioned = _render(author=acting_user, community=community, body=body)
    post = Post.objects.create(community=community, author=acting_user, body=body, body_html=html)
    _set_hashtags(post)
    activity_record(community=community, actor=acting_user, verb=Verb.POST_CREATED, target=post)
    pages_live.publish_post_new(post)
    return post


@transaction.atomic
def post_update(*, acting_user: Any, post: Post, body: str) -> Post:
    if not permissions.can_edit(acting_user, post):
        raise PermissionDenied("edit post")
    body = _clean_body(body)
    post.body = body
    post.body_html, mentioned = _render(author=acting_user, community=post.community, body=body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    _set_hashtags(post)
    post.mentions.set(mentioned)
    activity_record(
        community=post.community, actor=acting_user, verb=Verb.POST_UPDATED, target=post
    )
    return post


@transaction.atomic
def post_delete(*, acting_user: Any, post: Post) -> None:
    if not permissions.can_delete(acting_user, post):
        raise PermissionDenied("delete post")
    activity_record(community=post.community, actor=acting_user, verb=Verb.POST_DELETED)
    post.delete()


def _set_post_flag(*, acting_user: Any, post: Post, field: str, value: bool, verb: str) -> Post:
    """Pin or hide (moderators only); recorded when it turns on."""
    _require(acting_user, permissions.MODERATE, post.community)
    if getattr(post, field) != value:
        setattr(post, field, value)
        post.save(update_fields=[field])
        if value:
            activity_record(community=post.community, actor=acting_user, verb=verb, target=post)
    return post


@transaction.atomic
def post_set_pinned(*, acting_user: Any, post: Post, pinned: bool) -> Post:
    return _set_post_flag(
        acting_user=acting_user, post=post, field="is_pinned", value=pinned, verb=Verb.POST_PINNED
    )


@transaction.atomic
def post_set_hidden(*, acting_user: Any, post: Post, hidden: bool) -> Post:
    return _set_post_flag(
        acting_user=acting_user, post=post, field="is_hidden", value=hidden, verb=Verb.POST_HIDDEN
    )


@transaction.atomic
def comment_create(
    *,
    acting_user: Any,
    post: Post,
    body: str,
    parent: Comment | None = None,
    client_token: str = "",
) -> Comment:
    _require(acting_user, permissions.COMMENT, post.community)
    body = _clean_body(body)
    if parent is not None:
        if parent.post_id != post.pk:
            raise ValidationError(_("This reply belongs to another post."))
        parent = parent.parent or parent  # one level: replies to a reply join its thread
    client_token = client_token[:64]
    if client_token:
        earlier = Comment.objects.filter(author=acting_user, client_token=client_token).first()
        if earlier is not None:
            return earlier
    html, mentioned = _render(author=acting_user, community=post.community, body=body)
    comment = Comment.objects.create(
        post=post,
        author=acting_user,
        parent=parent,
        body=body,
        body_html=html,
        client_token=client_token,
    )
    comment.mentions.set(mentioned)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    activity_record(
        community=post.community, actor=acting_user, verb=Verb.COMMENT_CREATED, target=comment
    )
    url = comment.get_absolute_url()
    notify(
        users=mentioned,
        kind=Kind.MENTION,
        actor=acting_user,
        community=post.community,
        title=body,
        url=url,
        post=post,
    )
    # The post's author and, for a reply, the thread's author hear of it (once).
    mentioned_ids = {person.pk for person in mentioned}
    replied_to = [
        person
        for person in (post.author, parent.author if parent else None)
        if person is not None and person.pk not in mentioned_ids
    ]
    notify(
        users=replied_to,
        kind=Kind.REPLY,
        actor=acting_user,
        community=post.community,
        title=body,
        url=url,
        post=post,
    )
    pages_live.publish_comment(comment, new=True)
    return comment


@transaction.atomic
def comment_update(*, acting_user: Any, comment: Comment, body: str) -> Comment:
    community = comment.post.community
    if not permissions.can_edit(acting_user, comment):
        raise PermissionDenied("edit comment")
    comment.body = _clean_body(body)
    comment.body_html, mentioned = _render(
        author=acting_user, community=community, body=comment.body
    )
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    comment.mentions.set(mentioned)
    pages_live.publish_comment(comment, new=False)
    return comment


@transaction.atomic
def comment_delete(*, acting_user: Any, comment: Comment) -> None:
    community = comment.post.community
    if not permissions.can_delete(acting_user, comment):
        raise PermissionDenied("delete comment")
    removed = 1 + comment.replies.count()
    activity_record(community=community, actor=acting_user, verb=Verb.COMMENT_DELETED)
    pages_live.publish_comment(comment, new=False)  # its page takes it away (and its replies)
    comment.delete()
    Post.objects.filter(pk=comment.post_id, comment_count__gte=removed).update(
        comment_count=F("comment_count") - removed
    )


def _toggle_like(
    *, acting_user: Any, item: Post | Comment, like_model: type, community: Community, verb: str
) -> tuple[bool, int]:
    """Like or unlike ``item``; the counter on its row follows. Returns (liked, count)."""
    _require(acting_user, permissions.REACT, community)
    model = type(item)
    key = "post" if isinstance(item, Post) else "comment"
    deleted, _detail = like_model.objects.filter(**{key: item}, user=acting_user).delete()
    if deleted:
        model.objects.filter(pk=item.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
        liked = False
    else:
        try:
            with transaction.atomic():
                like_model.objects.create(**{key: item}, user=acting_user)
        except IntegrityError:  # a concurrent click already liked it
            return True, model.objects.values_list("like_count", flat=True).get(pk=item.pk)
        model.objects.filter(pk=item.pk).update(like_count=F("like_count") + 1)
        activity_record(community=community, actor=acting_user, verb=verb, target=item)
        liked = True
    return liked, model.objects.values_list("like_count", flat=True).get(pk=item.pk)


@transaction.atomic
def post_like_toggle(*, acting_user: Any, post: Post) -> tuple[bool, int]:
    return _toggle_like(
        acting_user=acting_user,
        item=post,
        like_model=PostLike,
        community=post.community,
        verb=Verb.POST_LIKED,
    )


@transaction.atomic
def comment_like_toggle(*, acting_user: Any, comment: Comment) -> tuple[bool, int]:
    return _toggle_like(
        acting_user=acting_user,
        item=comment,
        like_model=CommentLike,
        community=comment.post.community,
        verb=Verb.COMMENT_LIKED,
    )
