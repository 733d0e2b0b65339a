"""What an account is, site-wide, before any community is involved: signed in, a guest (an
external partner account), an administrator (a superuser).

The policy (``communities.permissions``) re-exports these and builds on them; they live in
the core so that the layers below the policy (accounts, the admin base classes) ask the same
question the same way instead of reading ``is_external`` / ``is_superuser`` themselves.
"""

from __future__ import annotations

from typing import Any


def is_signed_in(user: Any) -> bool:
    """A signed-in, active account (never the anonymous user, never a deactivated one)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_guest(user: Any) -> bool:
    """An external (partner) account: sees its communities and the editorial pages marked
    visible to guests, nothing else."""
    return is_signed_in(user) and bool(user.is_external)


def is_administrator(user: Any) -> bool:
    """Administrators see the adoption report, every access report and every digest."""
    return is_signed_in(user) and bool(user.is_superuser)
