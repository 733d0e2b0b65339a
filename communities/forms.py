from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import markup
from communities.models import Channel, Community, DigestPreference
from communities.notifications import TOPICS
from portal.core import files
from portal.core.widgets import TimeInput

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}


def _percent(template: str, params: dict) -> str:
    # Numbers in the reader's way: 10,000 / 10 000.
    return str(template) % {
        key: formats.number_format(value, force_grouping=True) if isinstance(value, int) else value
        for key, value in params.items()
    }


# `lazy_text % params` translates at once, i.e. at import, in English: a class-level
# help text must stay lazy until the form renders, in the reader's language.
_format_lazy_percent = lazy(_percent, str)


def format_lazy_percent(template: str, /, **params: object) -> str:
    return _format_lazy_percent(template, params)


class _CurrentCover:
    """The stored cover as the file input shows it: a link to the view that checks who
    asks (never the storage key's own URL, which is not served)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return str(_("the current cover"))


class CoverInput(forms.ClearableFileInput):
    clear_checkbox_label = _("Remove the cover")
    cover_url = ""  # set by the form when the community has a cover

    def format_value(self, value):
        if self.is_initial(value) and self.cover_url:
            return _CurrentCover(self.cover_url)
        return super().format_value(value)


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = [
            "name",
            "description",
            "kind",
            "visibility",
            "cover",
            "color",
            "members_add_events",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
            "cover": CoverInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            # Each choice shows its colour (components/community.css, by the input's value).
            "color": forms.RadioSelect(attrs={"class": "accent-choice"}),
        }
        help_texts = {
            "cover": _("A wide picture, shown at the top of the community and on its card."),
            "color": _("Shown on the community's card, badge and header."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            c for c in Community.Kind.choices if c[0] != Community.Kind.GENERAL
        ]
        self.fields["color"].choices = [("", _("Automatic")), *Community.Accent.choices]
        if self.instance.pk and self.instance.cover:
            self.fields["cover"].widget.cover_url = reverse(
                "communities:cover", args=[self.instance.slug]
            )
        if self.instance.pk and self.instance.is_general:
            del self.fields["kind"]
            del self.fields["visibility"]

    def clean_cover(self):
        """The same checks as a profile photo: content matches the extension (a page or a
        script named .png is refused), a size limit, a picture Pillow can read."""
        cover = self.cleaned_data.get("cover")
        if not cover or not hasattr(cover, "image"):
            return cover  # unchanged, or removed
        try:
            files.check_upload(cover, extensions=IMAGE_EXTENSIONS)
        except files.UploadRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        if cover.size > settings.ACCOUNTS_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("This image is %(size)s; the limit is %(limit)s."),
                params={
                    "size": filesizeformat(cover.size),
                    "limit": filesizeformat(settings.ACCOUNTS_PHOTO_MAX_BYTES),
                },
            )
        return cover


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def validate_attachment(upload) -> bool:
    """Refuse what must not be stored (size, the library documents' content check, then a
    full decode of images); returns whether the file is an image."""
    name = upload.name or ""
    if upload.size > settings.COMMUNITIES_ATTACHMENT_MAX_BYTES:
        raise forms.ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s."),
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.COMMUNITIES_ATTACHMENT_MAX_BYTES),
            },
        )
    try:
        content_type = files.check_upload(
            upload, extensions=settings.COMMUNITIES_ATTACHMENT_EXTENSIONS
        )
    except files.UploadRefused as exc:
        raise forms.ValidationError(str(exc)) from None
    if content_type in files.IMAGE_TYPES:
        from PIL import Image

        try:
            with Image.open(upload) as image:
                image.verify()
        except Exception:
            raise forms.ValidationError(
                _("%(name)s is not a valid image."), params={"name": name}
            ) from None
        finally:
            upload.seek(0)
        return True
    return False


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=markup.MAX_LENGTH,
        error_messages={"required": _("Write something first.")},
        help_text=format_lazy_percent(
            _("Markdown, #hashtags and @**Name** mentions. %(limit)s characters at most."),
            limit=markup.MAX_LENGTH,
        ),
    )
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


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=markup.MAX_LENGTH,
        error_messages={"required": _("Write something first.")},
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of a colleague"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


def topic_field(topic: str) -> str:
    """The form field of a topic's channel (``review.request`` → ``topic_review_request``)."""
    return "topic_" + topic.replace(".", "_")


class NotificationSettingsForm(forms.Form):
    """How the person is told of what is addressed to them (a channel per topic, "default"
    to follow their digest frequency), their quiet hours (both or neither, in their own time
    zone), then how they hear about activity: the account's digest frequency and one per
    community ("as for my account" by default)."""

    quiet_hours_start = forms.TimeField(
        label=pgettext_lazy("quiet hours", "From"),
        required=False,
        widget=TimeInput(attrs={"autocomplete": "off"}),
    )
    quiet_hours_end = forms.TimeField(
        label=pgettext_lazy("quiet hours", "Until"),
        required=False,
        widget=TimeInput(attrs={"autocomplete": "off"}),
    )
    account = forms.ChoiceField(
        label=_("For my account"),
        choices=DigestPreference.Frequency.choices,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args,
        communities: list[Community],
        account: str | None = None,
        per_community: dict[int, str] | None = None,
        channels: dict[str, str] | None = None,
        quiet_hours: tuple[Any, Any] | None = None,
        **kwargs,
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        if account is not None:
            initial["account"] = account
        if quiet_hours is not None:
            initial["quiet_hours_start"], initial["quiet_hours_end"] = quiet_hours
        super().__init__(*args, **kwargs)
        default = [("", _("Default"))]
        for topic, label in TOPICS.items():
            self.fields[topic_field(topic)] = forms.ChoiceField(
                label=label,
                choices=default + list(Channel.choices),
                required=False,
                widget=forms.RadioSelect,
                initial=(channels or {}).get(topic, ""),
            )
        same = [("", _("As for my account"))]
        self.communities = communities
        for community in communities:
            name = f"community_{community.pk}"
            self.fields[name] = forms.ChoiceField(
                label=community.name,
                choices=same + list(DigestPreference.Frequency.choices),
                required=False,
                initial=(per_community or {}).get(community.pk, ""),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None) and not self.has_error("quiet_hours_start"):
            missing = "quiet_hours_end" if end is None else "quiet_hours_start"
            self.add_error(missing, _("Give both times, or neither to turn quiet hours off."))
        elif start is not None and start == end:
            self.add_error("quiet_hours_end", _("Quiet hours end at another time than they start."))
        return cleaned

    def topic_rows(self) -> list[tuple[str, Any]]:
        return [(topic, self[topic_field(topic)]) for topic in TOPICS]

    def channels(self) -> dict[str, str | None]:
        return {topic: self.cleaned_data.get(topic_field(topic)) or None for topic in TOPICS}

    def community_fields(self) -> list:
        return [self[f"community_{c.pk}"] for c in self.communities]

    def per_community(self) -> dict[int, str | None]:
        return {c.pk: self.cleaned_data.get(f"community_{c.pk}") or None for c in self.communities}
