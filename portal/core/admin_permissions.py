"""The permission policy of the admin screens (registered in each app's ``ready()``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from portal.core import principals


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed for the admin screens: a person with the view
    or change permission on the model may look (change lets them run the bulk actions too,
    which ask it of Django directly); nobody, superusers included, adds, edits or deletes
    rows from the admin, since services keep them consistent; guests get nothing."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action != "view" or principals.is_guest(user):
            return False
        return user.has_perm(self._get_permission_name("view")) or user.has_perm(
            self._get_permission_name("change")
        )

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet:
        if "view" not in actions:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(["view", "change"]).filter(is_external=False)


class NoAddPolicy(ModelPermissionPolicy):
    """Django's model permissions, but nobody adds a row from the admin: a process makes
    them (the digest outbox: its form, status only, would save a row without its person or
    period)."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        return action != "add" and super().user_has_permission(user, action)
