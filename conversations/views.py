"""HTTP for conversations: parse, ask the selector or the policy, call one service, render.

Every page works without JavaScript (plain forms, then a redirect); with it, htmx sends the
same forms and ``conversations.js`` puts the answer (a message's HTML) in place. What the
person may not see answers 404, as a missing id does.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communities import permissions as policy
from communities import selectors as community_selectors
from conversations import live, permissions, selectors, services
from conversations.forms import (
    EditMessageForm,
    MessageForm,
    PeopleForm,
    ReactionForm,
    RenameForm,
    StartForm,
)
from conversations.models import MAX_PARTICIPANTS, Message, MessageAttachment
from portal.core.files import content_type_of_key, private_file_response
from portal.core.http import not_found_on_denial, positive_int
from portal.core.toasts import toast_trigger
from portal.core.views import flash_errors

PICKER_SIZE = 30  # people offered at once by the picker (search for the others)


def _token() -> str:
    return secrets.token_urlsafe(16)


def _int(request: HttpRequest, name: str) -> int | None:
    return positive_int(request.GET.get(name))


def _ids(values: list[str]) -> list[int]:
    return [pk for pk in (positive_int(v) for v in values[:MAX_PARTICIPANTS]) if pk]


def _picker(request: HttpRequest, *, chosen_ids: list[int], exclude: set[int] = frozenset()):
    """The people offered: those already chosen, then those matching ``q`` (the people the
    reader may write to, nobody else: the directory's rule)."""
    choices = permissions.messageable_people(request.user).exclude(pk__in=exclude)
    chosen = list(choices.filter(pk__in=chosen_ids).order_by("display_name", "pk"))
    q = request.GET.get("q", "").strip()[:60]
    found = community_selectors.people_visible_to(request.user).none()
    if q:
        found = choices.filter(display_name__icontains=q).exclude(pk__in=[p.pk for p in chosen])
    offered = [*chosen, *found.order_by("display_name", "pk")[:PICKER_SIZE]]
    return choices, chosen, offered, q


# --- The list and the header link -----------------------------------------------------------


@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    page = selectors.conversation_list_for(user=request.user, before=_int(request, "before"))
    return render(
        request,
        "conversations/list.html",
        {"unread": page.unread, "read": page.read, "next_before": page.next_before},
    )


@login_required
def unread_link(request: HttpRequest) -> HttpResponse:
    """The header's "Messages" link with its count, fetched by htmx after each page (pages
    pay no query for it) and updated live by ``messages.unread`` frames."""
    count = selectors.unread_count(request.user)
    return render(request, "conversations/_messages_link.html", {"count": count})


# --- Starting one ---------------------------------------------------------------------------


@login_required
def conversation_start(request: HttpRequest) -> HttpResponse:
    """Choose up to 49 people among those the reader may write to (``?to=<id>`` from a
    profile, the directory or a member list; ``?q=`` searches), name the group, write."""
    source = request.POST if request.method == "POST" else request.GET
    chosen_ids = _ids(source.getlist("people") + source.getlist("to"))
    choices, _chosen, offered, q = _picker(request, chosen_ids=chosen_ids)
    form = StartForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.conversation_start(
                acting_user=request.user,
                people=list(form.cleaned_data["people"]),
                title=form.cleaned_data["title"],
            )
            if form.cleaned_data["body"].strip():
                services.message_send(
                    acting_user=request.user,
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(conversation.get_absolute_url())
    context = {"form": form, "offered": offered, "chosen_ids": set(chosen_ids), "q": q}
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/start.html", context, status=status)


# --- One conversation -----------------------------------------------------------------------


def _conversation_context(request: HttpRequest, conversation, *, form=None) -> dict:
    user = request.user
    flags = selectors.flags_for(user=user, conversation=conversation)
    page = selectors.history(
        conversation=conversation,
        before=_int(request, "before"),
        after=_int(request, "after"),
        at=_int(request, "at"),
    )
    selectors.decorate_messages(user=user, flags=flags, messages=page.messages)
    selectors.decorate_for_page(user=user, conversation=conversation)
    pinned = selectors.pinned_messages(conversation=conversation)
    reply_to = None
    if form is None:
        draft = request.session.pop("message_draft", None) or {}
        body = draft.get("body", "") if draft.get("conversation") == conversation.pk else ""
        reply_pk = _int(request, "reply") or positive_int(str(draft.get("reply_to") or ""))
        form = MessageForm(initial={"client_token": _token(), "body": body, "reply_to": reply_pk})
    reply_pk = positive_int(str(form["reply_to"].value() or ""))
    if reply_pk:
        reply_to = Message.objects.filter(
            pk=reply_pk, conversation=conversation, kind=Message.Kind.MESSAGE
        ).first()
    last_id = page.messages[-1].pk if page.messages else 0
    return {
        "conversation": conversation,
        "flags": flags,
        "history": page,
        "pinned": pinned,
        "form": form,
        "reply_to": reply_to,
        # Live updates append only when the page shows the newest messages.
        "at_newest": page.newer is None,
        "last_id": last_id,
        "rename_form": RenameForm(initial={"title": conversation.title}),
    }


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    context = _conversation_context(request, conversation)
    if request.htmx and ("before" in request.GET or "after" in request.GET):
        return render(request, "conversations/_history.html", context)
    if context["last_id"]:
        services.conversation_mark_read(
            acting_user=request.user, conversation=conversation, up_to=context["last_id"]
        )
    return render(request, "conversations/detail.html", context)


@require_POST
@login_required
@not_found_on_denial
def message_send(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        reply_to = None
        if form.cleaned_data["reply_to"]:
            reply_to = Message.objects.filter(
                pk=form.cleaned_data["reply_to"], conversation=conversation
            ).first()
        try:
            message = services.message_send(
                acting_user=request.user,
                conversation=conversation,
                body=form.cleaned_data["body"],
                reply_to=reply_to,
                client_token=form.cleaned_data["client_token"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            if request.htmx:
                return _message_response(request, conversation, message)
            return redirect(message.get_absolute_url())
    errors = [str(e) for field in form.errors.values() for e in field]
    if request.htmx:
        # The box keeps its text (htmx swaps nothing on an error); the reason is a toast.
        response = HttpResponse(status=400)
        return toast_trigger(response, " ".join(errors), level="error")
    for error in errors:
        messages.error(request, error)
    request.session["message_draft"] = {
        "conversation": conversation.pk,
        "body": request.POST.get("body", ""),
        "reply_to": request.POST.get("reply_to", ""),
    }
    return redirect(reverse("conversations:detail", args=[pk]) + "#compose")


def _message_response(request: HttpRequest, conversation, message) -> HttpResponse:
    """One message's HTML for the reader (an htmx answer)."""
    fresh = selectors.message_for_viewer(
        user=request.user, conversation=conversation, pk=message.pk
    )
    if fresh is None:
        raise Http404
    return render(
        request, "conversations/_message.html", {"message": fresh, "conversation": conversation}
    )


def _back_to(message) -> HttpResponse:
    return redirect(message.get_absolute_url())


@login_required
@not_found_on_denial
def message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    if not policy.can(request.user, permissions.EDIT_MESSAGE, message):
        raise Http404
    form = EditMessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_update(
                acting_user=request.user, message=message, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            return _back_to(message)
    status = 400 if request.method == "POST" else 200
    context = {"message": message, "conversation": message.conversation, "form": form}
    return render(request, "conversations/message_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@not_found_on_denial
def message_delete(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    if not policy.can(request.user, permissions.DELETE_MESSAGE, message):
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "communities/confirm.html",
            {
                "confirm": {
                    "title": _("Delete this message?"),
                    "consequences": [
                        _("Its text, files and reactions are removed for everyone."),
                        _("Its place in the conversation shows “message deleted”."),
                    ],
                    "submit_label": _("Delete"),
                    "action_url": request.path,
                    "cancel_url": message.get_absolute_url(),
                }
            },
        )
    services.message_delete(acting_user=request.user, message=message)
    if request.htmx:
        return toast_trigger(
            _message_response(request, message.conversation, message), _("Message deleted.")
        )
    messages.success(request, _("Message deleted."))
    return _back_to(message)


@require_POST
@login_required
@not_found_on_denial
def message_react(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose one of the reactions offered."), status=400)
    try:
        services.message_react(
            acting_user=request.user, message=message, emoji=form.cleaned_data["emoji"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return _back_to(message)
    if request.htmx:
        return _message_response(request, message.conversation, message)
    return _back_to(message)


@require_POST
@login_required
@not_found_on_denial
def message_pin(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    try:
        services.message_set_pinned(
            acting_user=request.user, message=message, pinned=request.POST.get("on") == "1"
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if request.htmx:
            return _message_response(request, message.conversation, message)
    return _back_to(message)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(MessageAttachment.objects.only("message_id", "file", "name"), pk=pk)
    selectors.message_get_for_user(user=request.user, pk=item.message_id)
    item = MessageAttachment.objects.get(pk=pk)
    return private_file_response(
        item.file,
        name=item.name,
        content_type=content_type_of_key(item.file.name),
        inline=item.is_image,
    )


# --- People and settings of a conversation --------------------------------------------------


@login_required
@not_found_on_denial
def people_add(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    if not policy.can(request.user, permissions.ADD_PEOPLE, conversation):
        raise Http404
    selectors.decorate_conversations(user=request.user, conversations=[conversation])
    here = {p.pk for p in conversation.everyone}
    source = request.POST if request.method == "POST" else request.GET
    chosen_ids = _ids(source.getlist("people") + source.getlist("to"))
    choices, _chosen, offered, q = _picker(request, chosen_ids=chosen_ids, exclude=here)
    form = PeopleForm(
        request.POST or None, choices=choices, limit=max(MAX_PARTICIPANTS - len(here), 0)
    )
    if request.method == "POST" and form.is_valid():
        try:
            added = services.conversation_add_people(
                acting_user=request.user,
                conversation=conversation,
                people=list(form.cleaned_data["people"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Added: %(names)s.") % {"names": ", ".join(p.name for p in added)},
            )
            return redirect(conversation.get_absolute_url())
    context = {
        "conversation": conversation,
        "form": form,
        "offered": offered,
        "chosen_ids": set(chosen_ids),
        "q": q,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/people_add.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@not_found_on_denial
def conversation_leave(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    if not policy.can(request.user, permissions.LEAVE, conversation):
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "communities/confirm.html",
            {
                "confirm": {
                    "title": _("Leave this conversation?"),
                    "consequences": [
                        _("You will no longer read it or receive its messages."),
                        _("The others keep the history and see that you left."),
                    ],
                    "submit_label": _("Leave"),
                    "action_url": request.path,
                    "cancel_url": conversation.get_absolute_url(),
                }
            },
        )
    services.conversation_leave(acting_user=request.user, conversation=conversation)
    messages.success(request, _("You left the conversation."))
    return redirect("conversations:list")


@require_POST
@login_required
@not_found_on_denial
def conversation_rename(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        services.conversation_rename(
            acting_user=request.user, conversation=conversation, title=form.cleaned_data["title"]
        )
        messages.success(request, _("Renamed."))
    else:
        for error in form.errors.get("title", []):
            messages.error(request, error)
    return redirect(conversation.get_absolute_url())


@require_POST
@login_required
@not_found_on_denial
def conversation_mute(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    muted = request.POST.get("on") == "1"
    services.conversation_set_muted(
        acting_user=request.user, conversation=conversation, muted=muted
    )
    done = _("Muted: it no longer notifies you.") if muted else _("Notifications are back on.")
    if request.htmx:
        return toast_trigger(HttpResponse(live.header_html(request.user, conversation)), done)
    messages.success(request, done)
    return redirect(conversation.get_absolute_url())


@require_POST
@login_required
@not_found_on_denial
def conversation_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the read mark to ``up_to`` (``conversations.js`` when new messages are seen)."""
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
    services.conversation_mark_read(
        acting_user=request.user,
        conversation=conversation,
        up_to=positive_int(request.POST.get("up_to")),
    )
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(conversation.get_absolute_url())


# --- Community chats ------------------------------------------------------------------------


@login_required
def community_chat(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's chat: its conversation page (created on first visit with the default
    for its kind); when it is off, its managers see the switch, everyone else a 404."""
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=policy.VIEW
    )
    chat = selectors.community_chat_for(user=request.user, community=community)
    if chat is None and services.chat_enabled_by_default(community):
        chat = services.community_chat_ensure(community=community)
    if chat is not None and permissions.can_view(request.user, chat):
        return redirect(chat.get_absolute_url())
    if not permissions.can_configure(request.user, community):
        raise Http404
    return render(request, "conversations/chat_off.html", {"community": community})


@require_POST
@login_required
@not_found_on_denial
def community_chat_settings(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_selectors.community_get_for_user(
        user=request.user, slug=slug, perm=policy.VIEW
    )
    enabled = request.POST.get("on") == "1"
    services.community_chat_set_enabled(
        acting_user=request.user, community=community, enabled=enabled
    )
    messages.success(request, _("The chat is on.") if enabled else _("The chat is off."))
    target = reverse("conversations:community_chat", args=[community.slug])
    if request.htmx:  # the whole page changes: htmx loads it
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
