"""Keyset ("cursor") pagination: no OFFSET and no total count.

A page is the ``limit`` rows after the cursor in a fixed order on ``(key, id)``; the next
cursor is the last row's values. The order must be backed by an index on the same columns.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Model, Q, QuerySet

from portal.core.http import MAX_ID

M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Far longer than any cursor we make; a longer one is not ours (and is not decoded).
MAX_CURSOR_LENGTH = 1000


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The cursor's values, or None for a missing or malformed cursor (the first page).
    The values are as the client sent them: check their types before use."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    return values


def _is_id(value: Any) -> bool:
    return type(value) is int and 0 < value <= MAX_ID


def cursor_value(field: models.Field, value: Any) -> Any:
    """``value`` as a lookup value for ``field`` if it is one we could have written into a
    cursor (see ``keyset_page``), else None: a hand-made cursor must never reach the
    database as a list, an infinite float, an integer wider than a column or a naive or
    unrepresentable time."""
    if isinstance(field, models.DateTimeField):
        if not isinstance(value, str):
            return None
        try:
            parsed = datetime.datetime.fromisoformat(value)
            return parsed.astimezone(datetime.UTC) if parsed.tzinfo is not None else None
        except (ValueError, OverflowError):
            return None
    if isinstance(field, models.IntegerField):  # also AutoField and BigAutoField
        return value if type(value) is int and -MAX_ID <= value <= MAX_ID else None
    if isinstance(field, models.CharField | models.TextField):
        return value if isinstance(value, str) and "\x00" not in value else None
    return None


def keyset_page(
    queryset: QuerySet[M], *, key: str, cursor: str | None, limit: int, descending: bool = False
) -> Page[M]:
    """One page of ``queryset`` ordered by ``(key, id)``."""
    after = decode_cursor(cursor, 2)
    op = "lt" if descending else "gt"
    if after is not None:
        key_value = cursor_value(queryset.model._meta.get_field(key), after[0])
        last_id = after[1]
        # Anything we could not have made means the first page, as a missing cursor does.
        if key_value is not None and _is_id(last_id):
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
