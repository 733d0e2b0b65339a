"""HTTP for communities: parse, ask the selector or the policy, call one service, render.
Anything the user may not see or do answers 404, as a missing object does."""

from __future__ import annotations

import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from communities import digests, fragments, notifications, permissions, selectors, services
from communities.forms import (
    CommentForm,
    CommunityForm,
    InviteForm,
    NotificationSettingsForm,
    PostForm,
)
from communities.models import Channel, Comment, Community, Membership, PostAttachment
from portal.core.files import content_type_of_key, private_file_response
from portal.core.http import not_found_on_denial, positive_int
from portal.core.views import flash_errors, form_status, form_submit


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


def confirmation(
    request: HttpRequest,
    *,
    title: str,
    consequences: list[str],
    submit_label: str,
    cancel_url: str,
) -> HttpResponse:
    """The confirmation page of a destructive action (GET on the action's own address): it
    says what the action ends; its button POSTs to the same address."""
    return render(
        request,
        "communities/confirm.html",
        {
            "confirm": {
                "title": title,
                "consequences": consequences,
                "submit_label": submit_label,
                "action_url": request.path,
                "cancel_url": cancel_url,
            }
        },
    )


def what_ends(*, yours: bool, guest: bool) -> list[str]:
    """What ending a membership withdraws (the lifecycle's membership-ended hooks)."""
    if yours:
        lines = [
            _("You will no longer read its posts, documents and calendar."),
            _(
                "The reviews you were asked for there are withdrawn, and your answers to its "
                "coming events are removed."
            ),
        ]
        if guest:
            lines.append(_("Your sponsor is told. Only a lead can invite you back."))
        return lines
    lines = [
        _("They lose access to its posts, documents and calendar at once."),
        _(
            "The reviews they were asked for there are withdrawn, and their answers to its "
            "coming events are removed."
        ),
    ]
    if guest:
        lines.append(_("Their sponsor is told."))
    return lines


def _decorate_posts(
    request: HttpRequest, posts, *, show_community: bool = False, html: bool = True
) -> None:
    """Per-viewer actions for each post, from the policy (roles are cached: no query), then
    each post's HTML for this viewer, from the fragment cache where another viewer with the
    same actions already had it rendered."""
    # Whose name links to a profile this viewer may see: one query for the page.
    visible = selectors.people_ids_visible_to(request.user, {p.author_id for p in posts})
    for post in posts:
        post.author_linked = post.author_id in visible
        perms = permissions.permissions_for(request.user, post.community)
        post.can_react = permissions.REACT in perms
        post.can_moderate = permissions.MODERATE in perms
        post.can_edit = permissions.can_edit(request.user, post)
        post.can_delete = permissions.can_delete(request.user, post)
    if html:
        fragments.attach_post_html(request, posts, show_community=show_community)


# --- Communities ----------------------------------------------------------------------------


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    communities = selectors.community_list_visible_to(
        user=request.user, include_my_archived=True
    ).annotate(
        member_count=Count(
            "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True
        )
    )
    return render(
        request,
        "communities/list.html",
        {
            "communities": communities,
            "invitations": selectors.my_invitations(user=request.user),
            "can_create": permissions.can_create_community(request.user),
            "can_find_communities": permissions.can_find_communities(request.user),
        },
    )


@login_required
def community_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_community(request.user):
        raise Http404
    form = CommunityForm(request.POST or None, request.FILES or None)
    done = form_submit(
        request,
        form,
        lambda data: services.community_create(acting_user=request.user, **data),
    )
    if done.ok:
        messages.success(request, _("Your community is ready. You are its lead."))
        return redirect("communities:detail", slug=done.result.slug)
    return render(request, "communities/form.html", {"form": form}, status=form_status(request))


@login_required
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    cursor = request.GET.get("cursor")
    context = _community_page(request, community, cursor=cursor)
    if context["can_view"] and request.htmx and cursor:
        return render(request, "communities/_feed_items.html", context)
    if context["can_view"] and not cursor:
        shown = [post.pk for post in [*context["feed"].pinned, *context["page"].items]]
        services.membership_mark_read(
            membership=context["membership"], post_id=max(shown, default=0)
        )
    return render(request, "communities/detail.html", context)


def _community_page(
    request: HttpRequest, community: Community, *, cursor: str | None = None, post_form=None
) -> dict:
    """What the community page shows this viewer (also re-shown with a refused post)."""
    perms = permissions.permissions_for(request.user, community)
    context = {
        "community": community,
        "community_perms": perms,
        "can_view": permissions.VIEW in perms,
        "can_archive": permissions.can(request.user, permissions.ARCHIVE, community),
        "membership": selectors.my_membership(user=request.user, community=community),
    }
    if permissions.VIEW in perms:
        feed = selectors.community_feed(user=request.user, community=community, cursor=cursor)
        _decorate_posts(request, [*feed.pinned, *feed.page.items])
        context["feed"] = feed
        context["page"] = feed.page
        # The live socket tells of posts after the newest one shown ("3 new posts — show").
        context["live_topics"] = [community.pk]
        context["live_after"] = max(
            (post.pk for post in [*feed.pinned, *feed.page.items]), default=0
        )
        context["more_url"] = reverse("communities:detail", args=[community.slug])
        # The leads and the member count in one query: the count is a scalar subquery on
        # each lead's row (the page shows the count beside the leads, so only with leads).
        # A window count would sort every member of a large community by name first.
        members = selectors.members_of(user=request.user, community=community)
        count = members.order_by().values("community").annotate(n=Count("pk")).values("n")
        leads = list(
            members.filter(role=Membership.Role.LEAD)
            .annotate(total=Subquery(count[:1]))
            .order_by("user__display_name", "user_id")[:10]
        )
        context["leads"] = [m.user for m in leads]
        context["member_count"] = leads[0].total if leads else 0
        if permissions.POST in perms:
            context["post_form"] = post_form or PostForm(initial={"client_token": _token()})
    return context


def _token() -> str:
    """A fresh idempotency token for a post or comment form."""
    return secrets.token_urlsafe(16)


@login_required
def community_edit(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.MANAGE
    )
    form = CommunityForm(
        request.POST or None, request.FILES or None, instance=Community.objects.get(pk=community.pk)
    )
    done = form_submit(
        request,
        form,
        lambda data: services.community_update(
            acting_user=request.user, community=community, **data
        ),
    )
    if done.ok:
        messages.success(request, _("Saved."))
        return redirect("communities:detail", slug=community.slug)
    context = {"form": form, "community": community}
    return render(request, "communities/form.html", context, status=form_status(request))


@require_http_methods(["GET", "POST"])
@login_required
@not_found_on_denial
def community_archive(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.MANAGE
    )
    if request.method == "GET":
        if community.is_archived or community.is_general:
            return redirect("communities:detail", slug=slug)
        return confirmation(
            request,
            title=_("Archive %(name)s?") % {"name": community.name},
            consequences=[
                _("Nobody can post, comment, react or add events there any more."),
                _("It leaves the community list and the feeds; its members can still read it."),
                _("A lead can restore it later."),
            ],
            submit_label=_("Archive"),
            cancel_url=reverse("communities:detail", args=[slug]),
        )
    try:
        if request.POST.get("restore"):
            services.community_restore(acting_user=request.user, community=community)
            messages.success(request, _("The community is back."))
        else:
            services.community_archive(acting_user=request.user, community=community)
            messages.success(request, _("The community is archived: read-only and unlisted."))
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("communities:detail", slug=slug)


@require_POST
@login_required
@not_found_on_denial
def community_join(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    try:
        membership = services.membership_join(acting_user=request.user, community=community)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if membership.status == Membership.Status.ACTIVE:
            messages.success(request, _("Welcome to %(name)s.") % {"name": community.name})
        else:
            messages.success(request, _("Your request was sent to the leads."))
    return redirect("communities:detail", slug=slug)


@require_http_methods(["GET", "POST"])
@login_required
@not_found_on_denial
def community_leave(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    if request.method == "GET":
        if not permissions.can(request.user, permissions.LEAVE, community):
            raise Http404
        return confirmation(
            request,
            title=_("Leave %(name)s?") % {"name": community.name},
            consequences=what_ends(yours=True, guest=permissions.is_guest(request.user)),
            submit_label=_("Leave %(name)s") % {"name": community.name},
            cancel_url=reverse("communities:detail", args=[slug]),
        )
    try:
        services.membership_leave(acting_user=request.user, community=community)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("communities:detail", slug=slug)
    if not permissions.can_find_communities(request.user) and not (
        selectors.communities_of(user=request.user).exists()
    ):
        # A guest who left her last community keeps her account (README, "Guests"): home
        # tells her so and how to come back, instead of an empty list she cannot fill.
        messages.success(
            request,
            _(
                "You left %(name)s. You are in no community any more: your account stays, "
                "and a community lead can invite you again."
            )
            % {"name": community.name},
        )
        return redirect("/")
    messages.success(request, _("You left %(name)s.") % {"name": community.name})
    return redirect("communities:list")


@login_required
def community_members(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.VIEW
    )
    perms = permissions.permissions_for(request.user, community)
    members = list(selectors.members_of(user=request.user, community=community))
    permissions.member_actions(request.user, community, members)  # per-row flags, no query
    return render(
        request,
        "communities/members.html",
        {
            "community": community,
            "members": members,
            "requests": selectors.pending_requests(user=request.user, community=community),
            "invite_form": InviteForm() if permissions.MANAGE_MEMBERS in perms else None,
            # Leads keep it once the community is archived: they still end guests' access.
            "can_review_guests": permissions.REVIEW_ACCESS in perms,
        },
    )


MENTION_BEING_TYPED = re.compile(r"@\*{0,2}([^*@\n]{2,40})$")
MEMBER_ACTIONS = {"approve", "decline", "promote", "demote", "remove"}


def _member_action_done(action: str) -> str:
    """What happened, to whom: "Done." alone leaves a lead unsure whom she removed."""
    return {
        "approve": _("%(person)s joined %(community)s."),
        "decline": _("The request of %(person)s to join %(community)s was declined."),
        "promote": _("%(person)s is now a lead of %(community)s."),
        "demote": _("%(person)s is now a member of %(community)s."),
        "remove": _("%(person)s was removed from %(community)s."),
    }[action]


@require_http_methods(["GET", "POST"])
@login_required
@not_found_on_denial
def member_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.MANAGE_MEMBERS
    )
    membership = (
        Membership.objects.filter(pk=pk, community=community).select_related("user").first()
    )
    if membership is None or action not in MEMBER_ACTIONS:
        raise Http404
    if request.method == "GET":
        if action != "remove" or membership.status != Membership.Status.ACTIVE:
            raise Http404  # only a removal asks first
        if not permissions.can(request.user, permissions.REMOVE_MEMBER, membership):
            raise Http404  # not offered on the members page either
        name = membership.user.name
        return confirmation(
            request,
            title=_("Remove %(person)s from %(community)s?")
            % {"person": name, "community": community.name},
            consequences=what_ends(yours=False, guest=permissions.is_guest_membership(membership)),
            submit_label=_("Remove %(person)s") % {"person": name},
            cancel_url=reverse("communities:members", args=[slug]),
        )
    try:
        if action in ("approve", "decline"):
            services.membership_decide(
                acting_user=request.user, membership=membership, approve=action == "approve"
            )
        elif action == "promote":
            services.membership_set_role(
                acting_user=request.user, membership=membership, role=Membership.Role.LEAD
            )
        elif action == "demote":
            services.membership_set_role(
                acting_user=request.user, membership=membership, role=Membership.Role.MEMBER
            )
        else:
            services.membership_remove(acting_user=request.user, membership=membership)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(
            request,
            _member_action_done(action)
            % {"person": membership.user.name, "community": community.name},
        )
    return redirect("communities:members", slug=slug)


@require_POST
@login_required
@not_found_on_denial
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.MANAGE_MEMBERS
    )
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a valid e-mail address."))
        return redirect("communities:members", slug=slug)
    person = (
        selectors.people_visible_to(request.user)
        .filter(email__iexact=form.cleaned_data["email"], is_external=False)
        .first()
    )
    if person is None:
        messages.error(
            request,
            _("No colleague has this address. Partners are invited as guests."),
        )
        return redirect("communities:members", slug=slug)
    try:
        services.membership_invite(acting_user=request.user, community=community, user=person)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s is invited.") % {"name": person.name})
    return redirect("communities:members", slug=slug)


@login_required
@not_found_on_denial
def invitation(request: HttpRequest, slug: str) -> HttpResponse:
    membership = selectors.community_invitation_for_user(user=request.user, slug=slug)
    if request.method == "POST":
        if request.POST.get("accept"):
            services.membership_accept(acting_user=request.user, membership=membership)
            messages.success(
                request, _("Welcome to %(name)s.") % {"name": membership.community.name}
            )
            return redirect("communities:detail", slug=slug)
        services.membership_decline_invitation(acting_user=request.user, membership=membership)
        messages.success(request, _("Invitation declined."))
        return redirect("communities:list")
    return render(request, "communities/invitation.html", {"membership": membership})


@login_required
def mention_options(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.VIEW
    )
    # The post box sends its whole text: complete the "@name" being typed at its end.
    typed = MENTION_BEING_TYPED.search(request.GET.get("body", ""))
    q = typed.group(1).strip() if typed else request.GET.get("q", "").strip()[:60]
    people = selectors.mention_candidates(user=request.user, community=community, q=q) if q else []
    return render(request, "communities/_mention_options.html", {"people": people})


# --- Posts and comments ---------------------------------------------------------------------


@require_POST
@login_required
@not_found_on_denial
def post_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(
        user=request.user, slug=slug, perm=permissions.POST
    )
    form = PostForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_create(
                acting_user=request.user,
                community=community,
                body=form.cleaned_data["body"],
                client_token=form.cleaned_data["client_token"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error("body", exc)
    if form.errors:
        # Keep what they wrote: show the community again with the text and the error.
        context = _community_page(request, community, post_form=form)
        return render(request, "communities/detail.html", context, status=400)
    messages.success(request, _("Posted."))
    return redirect("communities:detail", slug=slug)


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    more_comments = bool(request.htmx and "after" in request.GET)  # only the next items
    _decorate_posts(request, [post], html=not more_comments)
    perms = permissions.permissions_for(request.user, post.community)
    page = selectors.comments_for(
        user=request.user,
        post=post,
        after=_int_param(request, "after"),
        showing=_int_param(request, "comment"),
    )
    every = [item for comment in page.threads for item in [comment, *comment.reply_list]]
    visible = selectors.people_ids_visible_to(request.user, {c.author_id for c in every})
    for item in every:
        item.author_linked = item.author_id in visible
    fragments.attach_comment_html(every)
    for item in every:
        item.post = post  # already loaded: the policy reads its community
        item.can_edit = permissions.can_edit(request.user, item)
        item.can_delete = permissions.can_delete(request.user, item)
    # New comments arrive live after the newest one shown (communities/live.py).
    live_after = max((item.pk for item in every), default=0)
    context = {
        "post": post,
        "community": post.community,
        "comments": page.threads,
        "next_after": page.next_after,
        "can_comment": permissions.COMMENT in perms,
        "live_after": live_after,
    }
    if more_comments:
        return render(request, "communities/_comments_page.html", context)
    saved = request.session.pop("comment_draft", None) or {}
    draft = saved.get("body", "") if saved.get("post") == post.pk else ""
    context["comment_form"] = CommentForm(initial={"client_token": _token(), "body": draft})
    return render(request, "communities/post_detail.html", context)


def _int_param(request: HttpRequest, name: str) -> int | None:
    """A positive integer from the query string; anything else is ignored."""
    return positive_int(request.GET.get(name))


@login_required
@not_found_on_denial
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    if not permissions.can_edit(request.user, post):
        raise Http404
    form = PostForm(request.POST or None, initial={"body": post.body})
    done = form_submit(
        request,
        form,
        lambda data: services.post_update(acting_user=request.user, post=post, body=data["body"]),
        error_field="body",
    )
    if done.ok:
        messages.success(request, _("Saved."))
        return redirect("communities:post", pk=post.pk)
    context = {"post": post, "form": form}
    return render(request, "communities/post_edit.html", context, status=form_status(request))


@require_POST
@login_required
@not_found_on_denial
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    slug = post.community.slug
    services.post_delete(acting_user=request.user, post=post)
    messages.success(request, _("The post was deleted."))
    return redirect("communities:detail", slug=slug)


@require_POST
@login_required
@not_found_on_denial
def post_moderate(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    on = request.POST.get("on") == "1"
    if action == "pin":
        services.post_set_pinned(acting_user=request.user, post=post, pinned=on)
    elif action == "hide":
        services.post_set_hidden(acting_user=request.user, post=post, hidden=on)
    else:
        raise Http404
    return _back(request, reverse("communities:detail", args=[post.community.slug]))


@require_POST
@login_required
@not_found_on_denial
def post_like(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    liked, count = services.post_like_toggle(acting_user=request.user, post=post)
    if request.htmx:
        post.liked, post.like_count, post.can_react = liked, count, True
        return render(request, "communities/_like_post.html", {"post": post})
    return _back(request, reverse("communities:post", args=[pk]))


@require_POST
@login_required
@not_found_on_denial
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_get_for_user(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    parent = None
    if form.is_valid():
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], post=post).first()
            if parent is None:
                raise Http404
        try:
            comment = services.comment_create(
                acting_user=request.user,
                post=post,
                body=form.cleaned_data["body"],
                parent=parent,
                client_token=form.cleaned_data["client_token"],
            )
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            return redirect(comment.get_absolute_url())  # its page, however long the thread
    for error in form.errors.get("body", []):
        messages.error(request, error)
    # What they wrote comes back in the form.
    request.session["comment_draft"] = {"post": post.pk, "body": request.POST.get("body", "")}
    return redirect(reverse("communities:post", args=[pk]) + "#comments")


@login_required
@not_found_on_denial
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get_for_user(user=request.user, pk=pk)
    if not permissions.can_edit(request.user, comment):
        raise Http404
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    done = form_submit(
        request,
        form,
        lambda data: services.comment_update(
            acting_user=request.user, comment=comment, body=data["body"]
        ),
        error_field="body",
    )
    if done.ok:
        return redirect(comment.get_absolute_url())
    context = {"comment": comment, "form": form}
    return render(request, "communities/comment_edit.html", context, status=form_status(request))


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PostAttachment.objects.select_related("post"), pk=pk)
    selectors.post_get_for_user(user=request.user, pk=item.post_id)
    return private_file_response(
        item.file,
        name=item.name,
        content_type=content_type_of_key(item.file.name),
        inline=item.is_image,
    )


@login_required
def community_cover(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(user=request.user, slug=slug)
    if not community.cover:
        raise Http404
    try:
        return private_file_response(
            community.cover,
            name=community.cover.name.rsplit("/", 1)[-1],
            content_type=content_type_of_key(community.cover.name),
            inline=True,
        )
    except FileNotFoundError:  # lost from storage: the page shows the colour band instead
        raise Http404 from None


@require_POST
@login_required
@not_found_on_denial
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get_for_user(user=request.user, pk=pk)
    post_id = comment.post_id
    services.comment_delete(acting_user=request.user, comment=comment)
    messages.success(request, _("The comment was deleted."))
    return redirect(reverse("communities:post", args=[post_id]) + "#comments")


@require_POST
@login_required
@not_found_on_denial
def comment_like(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_get_for_user(user=request.user, pk=pk)
    liked, count = services.comment_like_toggle(acting_user=request.user, comment=comment)
    if request.htmx:
        comment.liked, comment.like_count = liked, count
        return render(
            request, "communities/_like_comment.html", {"comment": comment, "can_react": True}
        )
    return redirect(reverse("communities:post", args=[comment.post_id]) + "#comments")


# --- Feeds and search -----------------------------------------------------------------------


@login_required
def home_feed(request: HttpRequest) -> HttpResponse:
    page = selectors.home_feed(user=request.user, cursor=request.GET.get("cursor"))
    _decorate_posts(request, page.items, show_community=True)
    context = {"page": page, "show_community": True, "more_url": reverse("communities:feed")}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "communities/_feed_items.html", context)
    if not request.GET.get("cursor"):
        # The first page hears of new posts in each of the person's communities (their roles
        # are already loaded for the page: no query).
        context["live_communities"] = sorted(permissions.active_roles(request.user))
        context["live_after"] = max((post.pk for post in page.items), default=0)
    context["can_find_communities"] = permissions.can_find_communities(request.user)
    if not page.items and not context["can_find_communities"]:
        context["no_community"] = not selectors.communities_with_unread(user=request.user)
    return render(request, "communities/feed.html", context)


@login_required
def hashtag(request: HttpRequest, tag: str) -> HttpResponse:
    page = selectors.hashtag_posts(user=request.user, tag=tag, cursor=request.GET.get("cursor"))
    _decorate_posts(request, page.items, show_community=True)
    context = {
        "page": page,
        "tag": tag.lower(),
        "show_community": True,
        "more_url": reverse("communities:hashtag", args=[tag]),
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "communities/_feed_items.html", context)
    return render(request, "communities/hashtag.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    results = selectors.search(user=request.user, q=q)
    return render(request, "communities/search.html", {"q": q.strip(), "results": results})


# --- Notifications, preferences, digests ------------------------------------------------------

PAGE = 30  # notifications per page


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = notifications.notification_list_visible_to(
        user=request.user, before=_int_param(request, "before"), limit=PAGE + 1
    )
    return render(
        request,
        "communities/notifications.html",
        {
            "items": items[:PAGE],
            "next_before": items[PAGE - 1].pk if len(items) > PAGE else None,
        },
    )


@login_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell with its unread count, fetched by htmx after each page and every two
    minutes, so that no page pays for the count."""
    count = notifications.unread_count(user=request.user)
    return render(request, "communities/_bell.html", {"count": count})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and follows its link."""
    notification = notifications.notification_open(user=request.user, pk=pk)
    return redirect(notification.url)


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Every notification is marked read."))
    return redirect("communities:notifications")


def _devices_url() -> str:
    """The push devices page (portal.push, issue 19 "push"); its documented path until that
    app routes it."""
    try:
        return reverse("push:devices")
    except NoReverseMatch:
        return "/account/push/"


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """A channel per topic, quiet hours, and the digest frequencies, saved together."""
    user = request.user
    communities = list(selectors.communities_of(user=user))
    chosen = notifications.choices_of(user)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, communities=communities)
        if form.is_valid():
            notifications.preferences_set(
                acting_user=user,
                account=form.cleaned_data["account"],
                per_community=form.per_community(),
            )
            notifications.choices_set(acting_user=user, choices=form.channels())
            notifications.quiet_hours_set(
                acting_user=user,
                start=form.cleaned_data["quiet_hours_start"],
                end=form.cleaned_data["quiet_hours_end"],
            )
            messages.success(request, _("Your choices are saved."))
            return redirect("communities:notification_settings")
    else:
        account, per_community = notifications.preferences_of(user)
        form = NotificationSettingsForm(
            communities=communities,
            account=account,
            per_community=per_community,
            channels=chosen,
            quiet_hours=(user.quiet_hours_start, user.quiet_hours_end),
        )
    return render(
        request,
        "communities/notification_settings.html",
        {
            "form": form,
            "devices_url": _devices_url(),
            "time_zone": user.timezone,
            # A topic told by the digest, for a person who receives none, would be told
            # only under the bell: the page says so.
            "digest_unreachable": Channel.DIGEST in chosen.values()
            and not digests.receives_digests(user),
        },
    )


@login_required
def digest_preview(request: HttpRequest) -> HttpResponse:
    digest = digests.digest_preview(user=request.user)
    context = digests.digest_context(
        digest, unsubscribe=notifications.unsubscribe_url(request.user)
    )
    context["receives_digests"] = digests.receives_digests(request.user)
    return render(request, "communities/digest_preview.html", context)


@csrf_exempt  # RFC 8058: mail clients post the one-click form without cookies
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (link checkers must not unsubscribe anyone);
    POST, from that button or a mail client's one-click, takes effect at once."""
    user, community = notifications.unsubscribe_read(token)
    done = request.method == "POST"
    if done:
        notifications.unsubscribe(user=user, community=community)
    return render(
        request,
        "communities/unsubscribe.html",
        {"person": user, "community": community, "done": done},
    )
