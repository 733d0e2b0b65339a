"""The devices page, and the JSON endpoints its script (portal/static/portal/js/push.js)
posts a browser's subscription to. Each is the person's own: nobody sees or removes
another's devices (a device that is not yours answers 404, like a missing one)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.push import services


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    context = {
        "subscriptions": services.subscription_list(user=request.user),
        "configured": services.push_configured(),
        "vapid_key": services.vapid_public_key(),
        "session_key": request.session.session_key or "",
    }
    return render(request, "push/devices.html", context)


def _body(request: HttpRequest) -> dict[str, Any]:
    """The browser's ``PushSubscription.toJSON()`` posted as JSON (push.js), or the same
    fields form-encoded (``endpoint``, ``p256dh``, ``auth``)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        return {
            "endpoint": str(data.get("endpoint") or ""),
            "p256dh": str(keys.get("p256dh") or ""),
            "auth": str(keys.get("auth") or ""),
        }
    return {key: request.POST.get(key, "") for key in ("endpoint", "p256dh", "auth")}


@login_required
@require_POST
def subscribe(request: HttpRequest) -> JsonResponse:
    """Turn push on for this browser (201 with the device, or 400 with the reason)."""
    if not services.push_configured():
        error = _("Push notifications are not set up on this site.")
        return JsonResponse({"error": error}, status=400)
    data = _body(request)
    if not request.session.session_key:
        request.session.save()
    try:
        subscription = services.subscription_save(
            user=request.user,
            endpoint=data.get("endpoint", ""),
            p256dh=data.get("p256dh", ""),
            auth=data.get("auth", ""),
            device=services.device_name(request.headers.get("User-Agent", "")),
            session_key=request.session.session_key or "",
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"id": subscription.pk, "device": subscription.device}, status=201)


@login_required
@require_POST
def unsubscribe(request: HttpRequest) -> JsonResponse:
    """Turn push off for this browser (its endpoint); before sign-out too."""
    removed = services.subscription_remove(
        user=request.user, endpoint=_body(request).get("endpoint") or None
    )
    return JsonResponse({"removed": removed})


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The devices page's "Remove": that device receives nothing more."""
    if not services.subscription_remove(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("The device was removed: it receives no more notifications."))
    return redirect("push:devices")
