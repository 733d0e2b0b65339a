"""Guests never reach the Wagtail admin, whatever group someone put them in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from portal.core import principals

ADMIN_ACCESS = "wagtailadmin.access_admin"


class PortalModelBackend(ModelBackend):
    """Django's ``ModelBackend`` (first in ``AUTHENTICATION_BACKENDS``), refusing the admin
    to guests: raising ``PermissionDenied`` stops Django from asking the other backends, so
    a guest put in the Editors group (which grants ``access_admin``) is still refused at
    every admin URL (``require_admin_access`` asks for this permission). Superusers are
    answered before any backend: an external account is never made one."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm == ADMIN_ACCESS and principals.is_guest(user_obj):
            raise PermissionDenied(perm)
        return super().has_perm(user_obj, perm, obj)
