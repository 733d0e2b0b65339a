"""Form widgets shared by the apps: the browser's date and time fields, and the one date +
time widget every form uses (the two side by side, the same size everywhere)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """A browser's date field. It reads and writes only ISO dates (``2026-11-08``) whatever
    the page's language; Django would write the value in the reader's format (``08/11/2026``
    in French), which the browser shows as an empty, required field. The browser shows the
    date in the reader's own format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """A browser's time field (``14:30``, shown in the reader's 12- or 24-hour clock)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.SplitDateTimeWidget):
    """A date and a time side by side (``templates/forms/widgets/datetime.html``), for a
    ``forms.SplitDateTimeField``. Django shows and reads the value in the current time zone,
    which the accounts middleware sets to the person's own. A form that keeps its date and
    its time in two fields (the event form) draws them the same way with
    ``{% include "forms/datetime.html" with date=form.start_date time=form.start_time %}``."""

    template_name = "forms/widgets/datetime.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        date_attrs = {"aria-label": _("Date"), **(attrs or {})}
        time_attrs = {"aria-label": _("Time"), **(attrs or {})}
        forms.MultiWidget.__init__(self, (DateInput(attrs=date_attrs), TimeInput(attrs=time_attrs)))


class NumberInput(forms.NumberInput):
    """A whole number: ``inputmode="numeric"`` brings a phone's digit pad (``type=number``
    alone shows the full keyboard on iOS)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", **(attrs or {})})
