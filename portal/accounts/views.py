from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts import selectors, services
from portal.accounts.completion import COMPLETION_FIELDS, profile_completion
from portal.accounts.forms import DirectoryFilterForm, ErasureForm, ProfileForm
from portal.accounts.models import User
from portal.core.files import content_type_of_key, extension_of, private_file_response


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.DirectoryFilters(**{k: (v or "").strip() for k, v in data.items()})
    page = selectors.directory_page(
        user=request.user, filters=filters, cursor=request.GET.get("cursor")
    )
    context = {"form": form, "page": page, "filters": filters}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "accounts/_directory_rows.html", context)
    context["facets"] = selectors.directory_facets(user=request.user)
    return render(request, "accounts/directory.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible_to(user=request.user, pk=pk)
    skill_names = [tag.name for tag in person.skills.all()]
    context = {
        "person": person,
        "skill_names": skill_names,
        "is_me": person.pk == request.user.pk,
        "completion": profile_completion(person, skill_names=skill_names),
    }
    return render(request, "accounts/person_detail.html", context)


@login_required
def person_photo(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_visible_to(user=request.user, pk=pk)
    if not person.photo:
        raise Http404
    return private_file_response(
        person.photo,
        name=f"photo.{extension_of(person.photo.name) or 'jpg'}",
        content_type=content_type_of_key(person.photo.name),
        inline=True,
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    # The form works on its own copy: a rejected form must leave request.user untouched.
    instance = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(
            user=request.user, acting_user=request.user, **form.service_arguments()
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:person", pk=request.user.pk)
    completion = profile_completion(request.user)
    context = {
        "form": form,
        "completion": completion,
        "completion_fields": [label for _name, label in COMPLETION_FIELDS],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/profile_edit.html", context, status=status)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembers the choice in a cookie and, when signed in, in the
    profile (which is what later pages and e-mails use)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,
    )
    return response


# --- Your data (GDPR) -----------------------------------------------------------------------


def export_response(*, person: User, acting_user: User) -> StreamingHttpResponse:
    """The zip of ``person``'s data, streamed as it is built (no Content-Length)."""
    response = StreamingHttpResponse(
        services.account_export_stream(user=person, acting_user=acting_user),
        content_type="application/zip",
    )
    filename = services.account_export_filename(user=person)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Accel-Buffering"] = "no"  # a buffering proxy would hold the whole zip
    return response


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    return _privacy_page(request, ErasureForm(person=request.user))


def _privacy_page(request: HttpRequest, form: ErasureForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "refusals": services.account_erase_refusals(user=request.user)}
    return render(request, "accounts/privacy.html", context, status=status)


@login_required
def privacy_export(request: HttpRequest) -> HttpResponse:
    return export_response(person=request.user, acting_user=request.user)


@require_POST
@login_required
@reauthentication_required
def privacy_erase(request: HttpRequest) -> HttpResponse:
    """Erase my account: typed confirmation, and the password (or two-factor code) asked
    again when it was not given in the last few minutes (allauth resumes this POST)."""
    form = ErasureForm(request.POST, person=request.user)
    if not form.is_valid():
        return _privacy_page(request, form, status=400)
    try:
        services.account_erase(user=request.user, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _privacy_page(request, form, status=400)
    logout(request)
    messages.success(request, _("Your account has been erased."))
    return redirect("/")
