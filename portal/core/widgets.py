"""Form widgets shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A browser's date field. It reads and writes only ISO dates (``2026-11-08``) whatever
    the page's language; Django would write the value in the reader's format (``08/11/2026``
    in French), which the browser shows as an empty, required field."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
