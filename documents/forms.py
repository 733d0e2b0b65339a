"""The forms the document pages draw. The views read the posted values and the services
check them (type sniffing, size, rights): these classes give every field its label, help and
widget, so the pages render them through the project's form renderer like any other form."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities import permissions
from documents.app_settings import app_settings
from portal.core.widgets import DateInput, NumberInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """The library's upload: several files at once make one document each."""

    files = forms.FileField(
        label=_("Add documents"),
        widget=MultipleFileInput(attrs={"multiple": True}),
    )
    title = forms.CharField(label=_("Title (for a single file)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description (for a single file)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = gettext(
            "PDF, images, office documents, text, CSV or ZIP; %(size)s at most each. "
            "Several at once: one document each."
        ) % {"size": filesizeformat(app_settings.MAX_UPLOAD_BYTES)}


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))
    change_note = forms.CharField(label=_("What changed"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("%(size)s at most.") % {
            "size": filesizeformat(app_settings.MAX_UPLOAD_BYTES)
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Your remarks"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "decision-%s")
        super().__init__(*args, **kwargs)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment on this version"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    page = forms.IntegerField(
        label=_("Page (optional)"),
        min_value=1,
        required=False,
        widget=NumberInput(attrs={"class": "input-short"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "review-%s")
        super().__init__(*args, **kwargs)


class ShareForm(forms.Form):
    email = forms.EmailField(
        label=_("Share with one person (e-mail of an existing account)"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "share-%s")
        super().__init__(*args, **kwargs)


def reviewer_label(person: Any) -> str:
    """A candidate's name, and whether she is a partner's guest (and of which organisation)."""
    if not permissions.is_guest_account(person):
        return person.name
    if person.organisation:
        return gettext("%(name)s (guest, %(organisation)s)") % {
            "name": person.name,
            "organisation": person.organisation,
        }
    return gettext("%(name)s (guest)") % {"name": person.name}


class ReviewRequestForm(forms.Form):
    """Who reviews, by when: the choices are the panel's candidates (members of the
    community and the people it is shared with), a list the panel already loaded."""

    reviewers = forms.MultipleChoiceField(label=_("Reviewers"), widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: list, today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "request-%s")
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = [
            (person.pk, reviewer_label(person)) for person in candidates
        ]
        self.fields["due_on"].widget.attrs["min"] = today.isoformat()
