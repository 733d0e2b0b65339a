"""How a view hands a form to a service and reports a refusal, one way everywhere.

A view parses, calls one service, and renders or redirects (STYLE.md). A service refuses with
``ValidationError``; the view either shows its messages on the next page (``flash_errors``)
or puts them on the form shown again with status 400 (``form_submit`` + ``form_status``)::

    form = CommunityForm(request.POST or None)
    done = form_submit(request, form, lambda data: services.community_create(**data))
    if done.ok:
        return redirect(done.result.get_absolute_url())
    return render(request, "communities/form.html", {"form": form}, status=form_status(request))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Every message of a refusal as an error message on the next page."""
    for message in exc.messages:
        messages.error(request, message)


def add_service_error(form: forms.Form, exc: ValidationError, field: str | None = None) -> None:
    """A service's refusal onto the form: on ``field`` when given; else on the fields it
    names that the form has, the rest (and an error naming no field) above the form."""
    if field is not None:
        # Django refuses a per-field dict on one named field: its messages, then.
        form.add_error(field, exc.messages if hasattr(exc, "error_dict") else exc)
    elif hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class Submitted(NamedTuple):
    ok: bool  # the service ran and accepted
    result: Any = None  # what it returned


def form_submit(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    *,
    error_field: str | None = None,
) -> Submitted:
    """On a POST with a valid form, ``call(form.cleaned_data)``. A ``ValidationError`` goes
    onto the form (``add_service_error``); ``PermissionDenied`` is left to the view (404).
    Not ``ok`` on a GET, an invalid form or a refusal: render the form again, with
    ``form_status(request)``."""
    if request.method != "POST" or not form.is_valid():
        return Submitted(ok=False)
    try:
        return Submitted(ok=True, result=call(form.cleaned_data))
    except ValidationError as exc:
        add_service_error(form, exc, error_field)
        return Submitted(ok=False)


def form_status(request: HttpRequest) -> int:
    """A form shown again after a POST is a 400 (invalid or refused); a fresh one a 200."""
    return 400 if request.method == "POST" else 200
