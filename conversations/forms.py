"""Forms of the conversation pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from communities import markup
from communities.forms import MultipleFileField, format_lazy_percent, validate_attachment
from conversations.models import MAX_PARTICIPANTS, REACTIONS


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=markup.MAX_LENGTH,
        required=False,
        help_text=format_lazy_percent(
            _("Markdown and @**Name** mentions. %(limit)s characters at most."),
            limit=markup.MAX_LENGTH,
        ),
    )
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    attachments = MultipleFileField(
        label=_("Attach images or files"),
        required=False,
        help_text=format_lazy_percent(
            _("Up to %(count)s files."), count=settings.COMMUNITIES_ATTACHMENTS_PER_POST
        ),
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > settings.COMMUNITIES_ATTACHMENTS_PER_POST:
            raise forms.ValidationError(
                _("%(count)s files at most."),
                params={"count": settings.COMMUNITIES_ATTACHMENTS_PER_POST},
            )
        errors = []
        for upload in files:
            try:
                upload.is_image = validate_attachment(upload)
            except forms.ValidationError as exc:
                errors.append(exc)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        empty = not (data.get("body") or "").strip() and not data.get("attachments")
        if empty and "body" not in self.errors and "attachments" not in self.errors:
            self.add_error("body", _("Write something first."))
        return data


class EditMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=markup.MAX_LENGTH,
        error_messages={"required": _("Write something first.")},
    )


class PeopleForm(forms.Form):
    """Choose people among ``choices`` (the people the writer may write to, already
    filtered by the policy: a person outside them is refused like a wrong value)."""

    people = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person."),
            "invalid_choice": _("You cannot write to one of the people chosen."),
        },
    )

    def __init__(self, *args, choices, limit: int = MAX_PARTICIPANTS - 1, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = choices
        self.limit = limit

    def clean_people(self):
        people = self.cleaned_data["people"]
        if len(people) > self.limit:
            raise forms.ValidationError(
                _("Choose %(limit)s people at most."), params={"limit": self.limit}
            )
        return people


class StartForm(PeopleForm):
    title = forms.CharField(
        label=_("Name (optional)"),
        max_length=120,
        required=False,
        help_text=_("A name helps when several people talk."),
    )
    body = forms.CharField(
        label=_("First message (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=markup.MAX_LENGTH,
        required=False,
    )


class RenameForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=120, required=False)


class ReactionForm(forms.Form):
    emoji = forms.ChoiceField(choices=[(e, e) for e in REACTIONS])
