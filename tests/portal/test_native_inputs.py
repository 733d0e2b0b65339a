"""Every form of the site asks a phone for the right keyboard and picker (issue 19): an
e-mail address is ``type=email`` with an ``autocomplete`` that says whose address it is, a
date and a time are the browser's own pickers (ISO values, whatever the language), an
address is ``type=url``, a whole number brings the digit pad (``inputmode=numeric``). The
forms are found by walking every ``Form`` subclass of our apps, so a new form is checked
without being listed here."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django import forms
from django.utils import translation

APPS = (
    "communities",
    "conversations",
    "documents",
    "events",
    "guests",
    "integrations",
    "portal.accounts",
    "portal.pages",
)
MODULES = [f"{app}.forms" for app in APPS] + ["portal.admin_views"]


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def site_forms() -> list[type[forms.BaseForm]]:
    for module in MODULES:
        importlib.import_module(module)
    # The site's own forms; the Wagtail admin's (wagtail_hooks) keep Wagtail's widgets.
    return sorted(
        (cls for cls in _subclasses(forms.BaseForm) if cls.__module__ in MODULES),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def fields_of(kind: type[forms.Field]) -> list[tuple[str, forms.Field]]:
    return [
        (f"{cls.__module__}.{cls.__qualname__}.{name}", field)
        for cls in site_forms()
        for name, field in cls.base_fields.items()
        if isinstance(field, kind) and not field.widget.is_hidden
    ]


def ids(pairs):
    return [name for name, _ in pairs]


EMAILS = fields_of(forms.EmailField)
DATES = fields_of(forms.DateField)
TIMES = fields_of(forms.TimeField)
URLS = fields_of(forms.URLField)
NUMBERS = fields_of(forms.IntegerField)


def test_the_walk_finds_the_site_forms():
    names = {cls.__name__ for cls in site_forms()}
    assert {"InvitationForm", "ReviewRequestForm", "EventForm", "ProfileForm"} <= names
    assert EMAILS and DATES and TIMES and URLS and NUMBERS


@pytest.mark.parametrize(("name", "field"), EMAILS, ids=ids(EMAILS))
def test_an_email_field_brings_the_email_keyboard_and_says_whose_address(name, field):
    assert field.widget.input_type == "email", name
    # "email" for one's own address, "off" for somebody else's (an invitation, a share).
    assert field.widget.attrs.get("autocomplete") in {"email", "off"}, name


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("name", "field"), DATES, ids=ids(DATES))
def test_a_date_field_is_the_browser_picker_with_an_iso_value(name, field, language):
    assert field.widget.input_type == "date", name
    with translation.override(language):
        html = field.widget.render("day", datetime.date(2026, 11, 8))
    assert 'value="2026-11-08"' in html, (name, html)


@pytest.mark.parametrize(("name", "field"), TIMES, ids=ids(TIMES))
def test_a_time_field_is_the_browser_picker(name, field):
    assert field.widget.input_type == "time", name
    assert 'value="14:30"' in field.widget.render("at", datetime.time(14, 30)), name


@pytest.mark.parametrize(("name", "field"), URLS, ids=ids(URLS))
def test_an_address_field_brings_the_url_keyboard(name, field):
    assert field.widget.input_type == "url", name


@pytest.mark.parametrize(("name", "field"), NUMBERS, ids=ids(NUMBERS))
def test_a_whole_number_brings_the_digit_pad(name, field):
    assert field.widget.input_type == "number", name
    assert field.widget.attrs.get("inputmode") == "numeric", name
