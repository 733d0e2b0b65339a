"""Dates in the project's named formats (portal/formats), for templates whose values may
arrive as ISO text: an e-mail's context crosses the broker as JSON, so a date travels as
``2026-12-14`` and a moment as ``2026-12-21T23:59:59+01:00``. Rendered in the active language
and, for a moment, in the active time zone (the recipient's, see portal.core.mail)."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def named_date(value: object, name: str = "DATE_FORMAT") -> object:
    """``{{ due_on|named_date }}``, ``{{ expires_at|named_date:"DATETIME_FORMAT" }}``.
    Anything that is not a date (or its ISO text) is returned as it is."""
    if isinstance(value, str):
        try:
            value = (
                datetime.datetime.fromisoformat(value)
                if "T" in value
                else datetime.date.fromisoformat(value)
            )
        except ValueError:
            return value
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if not isinstance(value, datetime.date):
        return value
    return formats.date_format(value, name)
