"""portal.core.views: a service's refusal reaches the person the same way in every view."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from portal.core.views import add_service_error, flash_errors, form_status, form_submit


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


def _request(method: str = "post", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_flash_errors_shows_every_message_of_the_refusal():
    request = _request()
    flash_errors(request, ValidationError(["Too late.", "Not yours."]))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Too late."),
        ("error", "Not yours."),
    ]


def test_a_valid_post_calls_the_service_once_with_the_cleaned_data():
    request = _request(data={"name": " Ada "})
    calls = []
    done = form_submit(request, NameForm(request.POST), lambda data: calls.append(data) or 7)
    assert done.ok and done.result == 7
    assert calls == [{"name": "Ada"}]


def test_a_get_or_an_invalid_form_never_calls_the_service():
    def never(data):
        raise AssertionError("called")

    get = _request("get")
    assert not form_submit(get, NameForm(), never).ok
    assert form_status(get) == 200
    post = _request(data={"name": "x" * 11})
    form = NameForm(post.POST)
    assert not form_submit(post, form, never).ok
    assert "name" in form.errors and form_status(post) == 400


def test_a_refusal_goes_onto_the_form_where_it_belongs():
    def refuse(data):
        raise ValidationError({"name": "Taken.", "other": "Above the form."})

    request = _request(data={"name": "Ada"})
    form = NameForm(request.POST)
    assert not form_submit(request, form, refuse).ok
    assert form.errors == {"name": ["Taken."], "__all__": ["Above the form."]}

    form = NameForm(request.POST)
    form_submit(request, form, refuse, error_field="name")
    assert form.errors == {"name": ["Taken.", "Above the form."]}


def test_a_refusal_naming_no_field_is_shown_above_the_form():
    form = NameForm({"name": "Ada"})
    form.is_valid()
    add_service_error(form, ValidationError("Closed, %(why)s.", params={"why": "archived"}))
    assert form.non_field_errors() == ["Closed, archived."]


def test_a_denial_is_left_to_the_view():
    def deny(data):
        raise PermissionDenied

    request = _request(data={"name": "Ada"})
    with pytest.raises(PermissionDenied):
        form_submit(request, NameForm(request.POST), deny)
