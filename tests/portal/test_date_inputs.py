"""A browser's date field reads only ISO dates (``2026-11-08``): a form that writes its
value in the reader's format (``08/11/2026`` in French) shows an empty, required field that
cannot be submitted (the adoption report's period, an event's dates when edited)."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.utils import translation

from events.forms import ScheduleFields
from guests.forms import ExtendForm, InvitationForm
from portal.admin_views import PeriodForm

DAY = datetime.date(2026, 11, 8)


def date_fields(form_class: type[forms.BaseForm]) -> list[tuple[str, forms.Field]]:
    return [
        (name, field)
        for name, field in form_class.base_fields.items()
        if getattr(field.widget, "input_type", None) == "date"
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("form_class", [PeriodForm, ScheduleFields, InvitationForm, ExtendForm])
def test_every_date_field_writes_its_value_the_way_a_browser_reads_it(form_class, language):
    fields = date_fields(form_class)
    assert fields, form_class  # the form has date fields, so this test checks something
    with translation.override(language):
        for name, field in fields:
            html = field.widget.render(name, DAY)
            assert 'value="2026-11-08"' in html, (form_class.__name__, name, html)
