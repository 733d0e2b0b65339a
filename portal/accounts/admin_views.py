"""Administrators' "Personal data" screen in the Wagtail admin: download anyone's data or
erase their account. Anyone else gets 404 (Wagtail itself sends people who may not enter
the admin to the sign-in page), so the screen never tells whether an account exists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts import services
from portal.accounts.forms import ErasureForm
from portal.accounts.models import User
from portal.accounts.views import export_response
from portal.core import principals


def _person(request: HttpRequest, pk: int) -> User:
    if not principals.is_administrator(request.user):
        raise Http404
    return get_object_or_404(User, pk=pk)


def _page(request: HttpRequest, person: User, form: ErasureForm, status: int = 200):
    context = {
        "person": person,
        "form": form,
        "refusals": [] if person.is_erased else services.account_erase_refusals(user=person),
    }
    return render(request, "accounts/admin_privacy.html", context, status=status)


def person_privacy(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _page(request, person, ErasureForm(person=person))


def person_privacy_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return export_response(person=person, acting_user=request.user)


@require_POST
def person_privacy_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    if person.is_erased:
        return redirect("accounts_admin_privacy", pk=person.pk)
    form = ErasureForm(request.POST, person=person)
    if not form.is_valid():
        return _page(request, person, form, status=400)
    try:
        services.account_erase(user=person, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _page(request, person, form, status=400)
    messages.success(request, _("The account has been erased."))
    return redirect("accounts_admin_privacy", pk=person.pk)
