"""A device stops receiving pushes when its person signs out on it (the subscriptions made
from that session) and when the account is deactivated or erased (every subscription)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save

from portal.push import services


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None or request is None:
        return
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    services.subscriptions_remove_for_session(user=user, session_key=session_key)


def on_user_saved(sender: Any, instance: Any, created: bool, update_fields=None, **kwargs) -> None:
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    services.subscriptions_remove_all(user=instance)


def register() -> None:
    user_logged_out.connect(on_logged_out, dispatch_uid="push.logged_out")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="push.deactivated")
