"""Answers Django's ``user.has_perm("communities.…", obj)`` from the community policy, and
``user.has_perm(rule, obj)`` for the object rules registered into it.

django-guardian's ObjectPermissionBackend stays beside it for explicit per-object grants.
"""

from __future__ import annotations

from typing import Any

from communities import permissions


class CommunityBackend:
    def authenticate(self, request, **credentials) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if obj is None:
            return False
        if perm in permissions.registered_rules():
            return permissions.can(user_obj, perm, obj)
        if not perm.startswith(permissions.APP + "."):
            return False
        community = permissions.community_of(obj)
        if community is None:
            return False
        return permissions.can(user_obj, perm, community)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False

    def get_user(self, user_id: int) -> None:
        return None
