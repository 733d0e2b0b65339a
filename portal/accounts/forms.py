from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField

from portal.accounts.adapter import is_internal_address
from portal.accounts.models import User, timezone_choices
from portal.core import files

PHOTO_EXTENSIONS = {"jpg", "jpeg", "png", "webp", "gif"}


class SignupForm(AllauthSignupForm):
    """Sign-up for the internal domains. An invitee signs up through the guests app's form
    (``guests.forms.InvitationSignupForm``, named in ``settings.ACCOUNT_FORMS``)."""

    invitation = None  # the invitation the page shows, if any (set by the guests form)

    def clean_email(self) -> str:
        email = super().clean_email()
        if not is_internal_address(email):
            raise forms.ValidationError(
                _(
                    "Sign-up is open to %(domains)s addresses only. Partners join by "
                    "invitation from a community lead."
                ),
                code="external_domain",
                params={"domains": ", ".join(f"@{d}" for d in settings.PORTAL_INTERNAL_DOMAINS)},
            )
        return email


class ProfileForm(forms.ModelForm):
    skills = TagField(
        label=_("Skills"),
        required=False,
        help_text=_("Comma-separated, for example: tourism, funding, graphic design"),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    class Meta:
        model = User
        fields = [
            "display_name",
            "photo",
            "organisation",
            "job_title",
            "location",
            "phone",
            "bio",
            "skills",
            "language",
            "timezone",
            "theme",
        ]
        widgets = {
            "theme": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["job_title"].widget.attrs["autocomplete"] = "organization-title"
        # A form posted without it (an older page, a script) keeps the person's choice.
        self.fields["theme"].required = False
        self.fields["theme"].help_text = _(
            "Light or dark pages. “Same as my device” follows your system's setting."
        )

    def clean_theme(self) -> str:
        return self.cleaned_data.get("theme") or self.instance.theme

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "image"):
            return photo  # unchanged, or cleared
        try:  # the library documents' content check, then Pillow's decode below
            files.check_upload(photo, extensions=PHOTO_EXTENSIONS)
        except files.UploadRefused as exc:
            raise forms.ValidationError(str(exc), code="format") from None
        if photo.size > settings.ACCOUNTS_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("This photo is %(size)s; the limit is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(photo.size),
                    "limit": filesizeformat(settings.ACCOUNTS_PHOTO_MAX_BYTES),
                },
            )
        width, height = photo.image.size
        if width * height > settings.ACCOUNTS_PHOTO_MAX_PIXELS:
            raise forms.ValidationError(
                _("This photo is %(w)s × %(h)s pixels; please send a smaller one."),
                code="too_many_pixels",
                params={"w": width, "h": height},
            )
        if photo.image.format not in {"JPEG", "PNG", "WEBP", "GIF"}:
            raise forms.ValidationError(
                _("Please send a JPEG, PNG, WebP or GIF image."), code="format"
            )
        return photo

    def service_arguments(self) -> dict:
        """The cleaned data as ``user_profile_update`` takes it."""
        data = dict(self.cleaned_data)
        photo = data.pop("photo", None)
        skills = data.pop("skills", [])
        if photo is False:
            photo_arg: object = False
        elif photo and hasattr(photo, "image"):
            photo_arg = photo
        else:
            photo_arg = None
        return {"skills": skills, "photo": photo_arg, **data}


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search people"), required=False, max_length=100)
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=150)
    location = forms.CharField(label=_("Location"), required=False, max_length=150)
    skill = forms.CharField(label=_("Skill"), required=False, max_length=100)


class ErasureForm(forms.Form):
    """The confirmation step of an erasure: type the account's e-mail address."""

    confirmation = forms.CharField(
        label=_("Type the account's e-mail address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value.lower() != self.person.email.lower():
            raise forms.ValidationError(_("This is not the account's e-mail address."))
        return value
