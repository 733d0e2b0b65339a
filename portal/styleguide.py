"""The living style guide: every component of the design system in every state, on one page
(``/styleguide/``), in the reader's language and, with ``?theme=light|dark``, in either mode.

Administrators only (or any visitor while ``DEBUG`` is on); for everybody else the page does
not exist (404). It reads nothing but one person with a photo, to show a photo avatar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from portal.accounts.models import User
from portal.core.principals import is_administrator
from portal.core.toasts import toast_trigger

THEMES = ("light", "dark")
ICONS = (
    "calendar", "file-text", "users", "message-square", "bell", "search", "upload", "plus",
    "pencil", "trash-2", "check", "x", "chevron-down", "log-out", "settings", "sun", "moon",
    "image", "paperclip", "clock", "map-pin", "shield", "info", "circle-check",
    "triangle-alert", "circle-alert",
)  # fmt: skip


class SampleForm(forms.Form):
    """Every kind of field the portal's forms use, with help texts and required marks."""

    title = forms.CharField(
        label=_("Title"), max_length=120, help_text=_("A short name that people will recognise.")
    )
    email = forms.EmailField(label=_("E-mail address"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=[
            ("open", _("Open: every member of the organisation")),
            ("private", _("Private: members only")),
            ("secret", _("Secret: invisible to others")),
        ],
        widget=forms.RadioSelect,
        initial="private",
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=[("news", _("News")), ("events", _("Events")), ("documents", _("Documents"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("en", "English"), ("fr", "Français")], required=False
    )
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    attachment = forms.FileField(
        label=_("Attachment"), required=False, help_text=_("PDF or image, 10 MB at most.")
    )
    agree = forms.BooleanField(label=_("I have read the charter"))


@dataclass
class SamplePerson:
    """A person as the avatar template sees one: no row behind it, so no query."""

    pk: int
    name: str
    photo: str = ""

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


SAMPLE_NAMES = (
    "Claire Dubois", "Camille Martin", "Julie Roux", "Hugo Bernard",
    "Marc Blanc", "Léa Moreau", "Karim Haddad", "Sofia Lopez",
)  # fmt: skip


def may_see(user) -> bool:
    """Who sees the style guide: administrators, and everybody on a development machine."""
    return bool(settings.DEBUG) or is_administrator(user)


def styleguide(request: HttpRequest) -> HttpResponse:
    """The style guide (``?theme=light|dark`` shows the page in that mode only)."""
    if not may_see(request.user):
        raise Http404
    theme = request.GET.get("theme", "")
    if theme not in THEMES:
        theme = ""
    if request.headers.get("HX-Request") and request.GET.get("toast"):
        # What a view answers to an htmx request that changed something: no content, a toast.
        return toast_trigger(HttpResponse(status=204), _("The event was saved."))
    if request.GET.get("toasts"):
        # What a page shows after an action: one message of each level, as toasts.
        messages.success(request, _("The event was saved."))
        messages.info(request, _("Two people are waiting for your review."))
        messages.warning(request, _("Your access ends in 5 days."))
        messages.error(request, _("The file is too large (10 MB at most)."))
    if request.GET.get("confirmed"):
        messages.success(request, _("Confirmed: the form was sent."))
    invalid = SampleForm(
        data={
            "invalid-email": "not-an-address",
            "invalid-day": "2026-13-40",
            "invalid-time": "25:00",
            "invalid-visibility": "private",
        },
        prefix="invalid",
    )
    invalid.is_valid()
    photo_person = User.objects.exclude(photo="").order_by("pk").first()
    people = [SamplePerson(pk, name) for pk, name in enumerate(SAMPLE_NAMES)]
    return render(
        request,
        "styleguide/page.html",
        {
            "styleguide_theme": theme,
            "form": SampleForm(prefix="sample", initial={"day": datetime.date(2026, 3, 12)}),
            "invalid_form": invalid,
            "people": people,
            # Unsaved: one per accent colour, named after it.
            "communities": [
                Community(name=str(label), color=value) for value, label in Community.Accent.choices
            ],
            "photo_person": photo_person,
            "icons": ICONS,
            "toast_levels": (
                ("success", _("The event was saved.")),
                ("info", _("Two people are waiting for your review.")),
                ("warning", _("Your access ends in 5 days.")),
                ("error", _("The file is too large (10 MB at most).")),
            ),
        },
    )
