"""Integration pages (a lead's webhooks and feeds, a person's API tokens) and the incoming
webhook endpoint: parse, ask the selectors and the policy, call one service, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from communities.replies import community_address
from integrations import forms, selectors, services, tasks
from integrations.app_settings import app_settings
from portal.core.http import not_found_on_denial
from portal.core.tokens import token_hash


def _error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- A community's integrations (leads) -------------------------------------------------------


def _community_page(request, community, *, status: int = 200, **extra) -> HttpResponse:
    context = {
        "community": community,
        "webhooks": selectors.webhooks_of(community=community),
        "feeds": selectors.feeds_of(community=community),
        "mail_address": community_address(community),
        "webhook_form": forms.WebhookForm(),
        "feed_form": forms.FeedForm(),
        **extra,
    }
    return render(request, "integrations/community.html", context, status=status)


@login_required
def community_integrations(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_for_manager(user=request.user, slug=slug)
    return _community_page(request, community)


@login_required
@require_POST
@not_found_on_denial
def webhook_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_for_manager(user=request.user, slug=slug)
    try:
        webhook, token = services.webhook_create(
            acting_user=request.user, community=community, name=request.POST.get("name", "")
        )
    except ValidationError as exc:
        return _community_page(
            request,
            community,
            status=400,
            webhook_form=forms.WebhookForm.refused(request.POST, _error(exc)),
        )
    # The secret URL is shown on this response only: it is never stored.
    url = request.build_absolute_uri(reverse("integrations:webhook", args=[token]))
    return _community_page(request, community, new_webhook={"name": webhook.name, "url": url})


@login_required
@require_POST
@not_found_on_denial
def webhook_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = selectors.webhook_get_for_manager(user=request.user, pk=pk)
    services.webhook_revoke(acting_user=request.user, webhook=webhook)
    messages.success(request, _("The webhook %(name)s was revoked.") % {"name": webhook.name})
    return redirect("integrations:community", slug=webhook.community.slug)


@login_required
@require_POST
@not_found_on_denial
def feed_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_for_manager(user=request.user, slug=slug)
    try:
        feed = services.feed_create(
            acting_user=request.user,
            community=community,
            name=request.POST.get("name", ""),
            url=request.POST.get("url", ""),
        )
    except ValidationError as exc:
        return _community_page(
            request,
            community,
            status=400,
            feed_form=forms.FeedForm.refused(request.POST, _error(exc)),
        )
    transaction.on_commit(lambda: tasks.check_feed.delay(feed.pk))
    messages.success(
        request, _("The feed %(name)s is connected; it is read in a moment.") % {"name": feed.name}
    )
    return redirect("integrations:community", slug=slug)


FEED_ACTIONS = ("pause", "resume", "delete")


@login_required
@require_POST
@not_found_on_denial
def feed_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    feed = selectors.feed_get_for_manager(user=request.user, pk=pk)
    slug = feed.community.slug
    if action not in FEED_ACTIONS:
        raise Http404
    if action == "delete":
        services.feed_delete(acting_user=request.user, feed=feed)
        messages.success(request, _("The feed %(name)s was disconnected.") % {"name": feed.name})
    else:
        services.feed_set_paused(acting_user=request.user, feed=feed, paused=action == "pause")
        if action == "resume":
            transaction.on_commit(lambda: tasks.check_feed.delay(feed.pk))
            messages.success(request, _("The feed %(name)s is read again.") % {"name": feed.name})
        else:
            messages.success(request, _("The feed %(name)s is paused.") % {"name": feed.name})
    return redirect("integrations:community", slug=slug)


# --- Incoming webhooks (other tools) --------------------------------------------------------


def _refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, token: str) -> HttpResponse:
    """Another tool posts a message: ``{"text", "title"?, "url"?}`` as JSON (Slack's
    ``{"text": …}`` works as is). Nothing is posted unless everything is right."""
    hook = selectors.webhook_get_by_token(token_hash=token_hash(token))
    content_type = request.content_type or ""
    if content_type != "application/json" and not content_type.endswith("+json"):
        return _refusal(415, _("Send application/json."))
    limit = app_settings.WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _refusal(413, _("The body is larger than %(limit)s bytes.") % {"limit": limit})
    try:
        services.webhook_throttle(webhook=hook)
    except services.Throttled:
        response = _refusal(429, _("Too many calls; try again in a minute."))
        response["Retry-After"] = "60"
        return response
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _refusal(413, _("The body is larger than %(limit)s bytes.") % {"limit": limit})
    try:
        data = json.loads(raw)
        payload = services.parse_webhook_payload(data)
    except (ValueError, RecursionError):
        return _refusal(400, _("The body is not valid JSON."))
    except ValidationError as exc:
        return _refusal(400, _error(exc))
    try:
        post = services.webhook_post(webhook=hook, **payload)
    except PermissionDenied:
        raise Http404 from None  # its creator may no longer post there: the hook is dead
    except ValidationError as exc:
        return _refusal(400, _error(exc))
    return JsonResponse(
        {"ok": True, "post": post.pk, "url": reverse("communities:post", args=[post.pk])},
        status=201,
    )


# --- Personal API tokens --------------------------------------------------------------------


def _tokens_page(request, *, status: int = 200, **extra) -> HttpResponse:
    context = {
        "tokens": selectors.api_tokens_of(user=request.user),
        "form": forms.ApiTokenForm(),
        **extra,
    }
    return render(request, "integrations/api_tokens.html", context, status=status)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request)
    try:
        api_token, token = services.api_token_create(
            acting_user=request.user,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", ""),
        )
    except ValidationError as exc:
        return _tokens_page(
            request, status=400, form=forms.ApiTokenForm.refused(request.POST, _error(exc))
        )
    return _tokens_page(request, new_token={"name": api_token.name, "value": token})


@login_required
@require_POST
@not_found_on_denial
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_token = selectors.api_token_get_for_owner(user=request.user, pk=pk)
    services.api_token_revoke(acting_user=request.user, api_token=api_token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": api_token.name})
    return redirect("integrations:api_tokens")
