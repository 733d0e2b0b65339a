"""Keyset ("cursor") pagination: no OFFSET and no total count.

A page is the ``limit`` rows after the cursor in a fixed order on ``(key, id)``; the next
cursor is the last row's values. The order must be backed by an index on the same columns.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The cursor's values, or None for a missing or malformed cursor (the first page)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    return values


def keyset_page(
    queryset: QuerySet[M], *, key: str, cursor: str | None, limit: int, descending: bool = False
) -> Page[M]:
    """One page of ``queryset`` ordered by ``(key, id)``."""
    after = decode_cursor(cursor, 2)
    op = "lt" if descending else "gt"
    if after is not None:
        key_value, last_id = after
        if not isinstance(last_id, int):
            after = None
        else:
            queryset = queryset.filter(
                Q(**{f"{key}__{op}": key_value}) | Q(**{key: key_value, f"id__{op}": last_id})
            )
    prefix = "-" if descending else ""
    rows = list(queryset.order_by(f"{prefix}{key}", f"{prefix}id")[: limit + 1])
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, key), last.pk])
    return Page(items=items, next_cursor=next_cursor)
