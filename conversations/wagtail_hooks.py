"""Conversations in the Wagtail admin, for administrators only (superusers): a read-only list
of conversations (kind, community, dates: never what was said), each with its history, and
the one way to read what was said: the legal-hold export of one conversation, which asks for a
reason and is written to the audit log before the download starts (the conversation's history
here, and the admin's site history report)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.models import ModelLogEntry

from conversations import privacy
from conversations.models import Conversation
from portal.core import principals
from portal.core.admin_permissions import ReadOnlyPolicy
from portal.core.admin_viewsets import (
    COMMUNITIES_MENU_HOOK,
    ListingViewSet,
    PublicPageInspectView,
    SafeIndexView,
)


class AdministratorsOnlyPolicy(ReadOnlyPolicy):
    """Read only, and for administrators alone: a model permission granted to a group (an
    editor) opens nothing here, since these are people's private conversations."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action == "view" and principals.is_administrator(user)

    def users_with_any_permission(self, actions: Any) -> QuerySet:
        return super().users_with_any_permission(actions).filter(is_superuser=True)


class LegalHoldFormatter(LogFormatter):
    label = _("Conversations: legal-hold export")

    def format_message(self, log_entry) -> str:
        reason = (log_entry.data or {}).get("reason", "")
        return _("Conversation exported for legal hold: %(reason)s") % {"reason": reason}


@hooks.register("register_log_actions")
def register_conversation_log_actions(actions) -> None:
    actions.register_action(privacy.LEGAL_HOLD_ACTION)(LegalHoldFormatter)


# --- The list of conversations -----------------------------------------------------------


def legal_hold_url(conversation: Conversation) -> str:
    return reverse("conversations_admin_legal_hold", args=[conversation.pk])


def conversation_label(conversation: Conversation) -> str:
    if conversation.community_id:
        return conversation.community.name
    return conversation.title or f"#{conversation.pk}"


class ConversationIndexView(SafeIndexView):
    def get_base_queryset(self) -> QuerySet:
        return (
            super()
            .get_base_queryset()
            .select_related("community")
            .annotate(people=Count("participants"))
        )


class ConversationInspectView(PublicPageInspectView):
    @cached_property
    def header_buttons(self) -> list:
        return [
            HeaderButton(
                _("Export for legal hold"), url=legal_hold_url(self.object), icon_name="download"
            )
        ]


class ConversationViewSet(ListingViewSet):
    model = Conversation
    name = "conversations"
    url_namespace = "admin_conversations"
    url_prefix = "conversations"
    icon = "comment"
    menu_label = _("Conversations")
    menu_order = 700
    menu_hook = COMMUNITIES_MENU_HOOK
    index_view_class = ConversationIndexView
    inspect_view_class = ConversationInspectView
    search_fields = ("title", "community__name")
    list_filter = ["kind"]
    list_display = [
        Column("name", label=_("Conversation"), accessor=conversation_label),
        "kind",
        Column("people", label=_("People")),
        DateColumn("created_at", label=_("Started"), sort_key="created_at"),
        DateColumn("last_message_at", label=_("Last message"), sort_key="last_message_at"),
    ]
    inspect_view_fields = ["kind", "title", "community", "is_enabled", "created_at"]
    ordering = ["-last_message_at", "-id"]


@hooks.register("register_admin_viewset")
def register_conversations_admin():
    return ConversationViewSet()


# --- The legal-hold export ---------------------------------------------------------------


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the case or request this export answers)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    if not principals.is_administrator(request.user):
        raise Http404
    return get_object_or_404(Conversation.objects.select_related("community"), pk=pk)


def _page(request: HttpRequest, conversation: Conversation, form: LegalHoldForm, status=200):
    exports = (
        ModelLogEntry.objects.for_instance(conversation)
        .filter(action=privacy.LEGAL_HOLD_ACTION)
        .select_related("user")
        .order_by("-timestamp")[:20]
    )
    context = {
        "conversation": conversation,
        "label": conversation_label(conversation),
        "form": form,
        "exports": exports,
        "history_url": reverse("admin_conversations:history", args=[conversation.pk]),
    }
    return render(request, "conversations/admin/legal_hold.html", context, status=status)


@require_http_methods(["GET", "POST"])
def legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the export holds, the reason asked for, the exports made so far. POST: the
    zip, once the reason is given (logged first)."""
    conversation = _conversation(request, pk)
    if request.method != "POST":
        return _page(request, conversation, LegalHoldForm())
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return _page(request, conversation, form, status=400)
    try:
        stream = privacy.legal_hold_export(
            acting_user=request.user, conversation=conversation, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        form.add_error("reason", error)
        return _page(request, conversation, form, status=400)
    response = StreamingHttpResponse(stream, content_type="application/zip")
    filename = privacy.legal_hold_filename(conversation)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@hooks.register("register_admin_urls")
def register_legal_hold_urls():
    return [
        path(
            "conversation-legal-hold/<int:pk>/",
            legal_hold,
            name="conversations_admin_legal_hold",
        )
    ]
