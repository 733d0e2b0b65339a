"""Sending to a person's devices. Contract (helper "push" implements it):

- ``push_to_user(*, user_id, payload) -> int``: encrypt ``payload`` (a dict: ``title``,
  ``body``, ``url`` a site path, ``tag``) for each of the person's subscriptions and post it
  with a VAPID JWT; returns how many push services accepted it; 404/410 remove the
  subscription; other failures are logged and counted.
- ``subscription_save(*, user, endpoint, p256dh, auth, device, session_key)`` and
  ``subscription_remove(*, user, pk=None, endpoint=None)``.
"""

from __future__ import annotations

from typing import Any


def push_to_user(*, user_id: int, payload: dict[str, Any]) -> int:
    raise NotImplementedError
