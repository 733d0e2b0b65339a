"""Forms parse what people type; the services decide what is allowed."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events.app_settings import app_settings
from events.models import RSVP, Event
from events.services import Schedule, schedule_from_local
from portal.accounts.models import timezone_choices
from portal.core.widgets import DateInput, NumberInput, TimeInput


class ScheduleFields(forms.Form):
    """Local date and times in a time zone, turned into a ``Schedule``.

    ``multi_day`` only guides the page: the end date shows when the event ends on another
    day (parvis.js hides and disables it otherwise, so an empty end date means the same day);
    the schedule reads the dates alone. Without JavaScript every field shows."""

    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput)
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for the same day."),
    )
    end_time = forms.TimeField(label=_("End time"), required=False, widget=TimeInput)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    multi_day = forms.BooleanField(label=_("Ends on another day"), required=False)
    tz = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get(self.add_prefix("multi_day")):
            # Sent without JavaScript (no toggle): an end date on another day keeps its
            # field shown when the form comes back with errors.
            start = self.data.get(self.add_prefix("start_date"))
            end = self.data.get(self.add_prefix("end_date"))
            if end and end != start:
                self.data = self.data.copy()
                self.data[self.add_prefix("multi_day")] = "on"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.schedule: Schedule = schedule_from_local(
                tz=data["tz"],
                start_date=data["start_date"],
                end_date=data.get("end_date"),
                start_time=data.get("start_time"),
                end_time=data.get("end_time"),
                all_day=data.get("all_day", False),
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return data


def schedule_initial(
    *, start: datetime.datetime, end: datetime.datetime, tz: str, all_day: bool
) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(tz)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if all_day:
        local_end = local_end - datetime.timedelta(days=1)
    return {
        "start_date": local_start.date(),
        "start_time": None if all_day else local_start.time().replace(second=0),
        "end_date": local_end.date(),
        "end_time": None if all_day else local_end.time().replace(second=0),
        "all_day": all_day,
        "multi_day": local_end.date() != local_start.date(),
        "tz": tz,
    }


class EventForm(ScheduleFields):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    online_url = forms.URLField(
        label=_("Online meeting link"), required=False, max_length=500, assume_scheme="https"
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        widget=NumberInput,
        help_text=_("Leave empty for no limit."),
    )
    freq = forms.ChoiceField(label=_("Repeats"), required=False, choices=Event.Frequency.choices)
    interval = forms.IntegerField(
        label=_("Every"),
        required=False,
        min_value=1,
        max_value=366,
        initial=1,
        widget=NumberInput,
        help_text=_("1 = every day, week or month; 2 = every other one…"),
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=DateInput, help_text=_("Last day of the series.")
    )
    count = forms.IntegerField(
        label=_("Number of occurrences"),
        required=False,
        min_value=1,
        max_value=app_settings.MAX_COUNT,
        widget=NumberInput,
        help_text=_("Or a number of occurrences instead of an end date."),
    )

    field_order = [
        "title",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "all_day",
        "multi_day",
        "tz",
        "freq",
        "interval",
        "until",
        "count",
        "location",
        "online_url",
        "capacity",
        "description",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("until") and data.get("count"):
            self.add_error("count", _("Choose an end date or a number of occurrences, not both."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``event_create`` / ``event_update``."""
        data = self.cleaned_data
        until = None
        if data.get("freq") and data.get("until"):
            # The whole last day, in the event's zone.
            until = datetime.datetime.combine(
                data["until"], datetime.time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(data["tz"])
            )
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "location": data.get("location", ""),
            "online_url": data.get("online_url", ""),
            "capacity": data.get("capacity"),
            "freq": data.get("freq", ""),
            "interval": data.get("interval") or 1,
            "until": until,
            "count": data.get("count") if data.get("freq") else None,
            "schedule": self.schedule,
        }


class OccurrenceForm(ScheduleFields):
    title = forms.CharField(label=_("Title"), max_length=200)
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(choices=RSVP.Answer.choices)
    occurrence = forms.CharField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("iCalendar file (.ics)"),
        help_text=_("Events with the same UID as earlier imports are updated, not duplicated."),
    )
