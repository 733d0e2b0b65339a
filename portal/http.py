"""Small HTTP helpers shared by the apps' views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse


def not_found_on_denial(view: Callable) -> Callable:
    """A service refusing an action answers like a missing object: 404, never 403, so a
    refusal never tells that the object exists."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return wrapper


# The widest value a signed 64-bit column holds (SQLite and PostgreSQL alike): ids, keys and
# page numbers beyond it are not ours.
MAX_ID = 2**63 - 1


def positive_int(raw: str | None) -> int | None:
    """A positive integer written in ASCII digits (a query or form value), else None:
    ``str.isdigit`` also accepts ``²`` and Arabic-Indic digits, which ``int`` then refuses or
    reads as another number."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None
