"""Small HTTP helpers shared by the apps' views."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

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


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV
# Injection"); a guest controls her name, organisation and remarks.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell that a spreadsheet shows and never evaluates: text starting
    like a formula gets a leading single quote. Numbers and dates are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """``csv.writer`` whose every cell passes through :func:`csv_cell`. Every CSV export
    writes through this (or, in the admin, ``portal.core.admin_viewsets.CsvSafeExportMixin``)."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """An attachment response and the formula-safe writer that fills it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, CsvWriter(response)
