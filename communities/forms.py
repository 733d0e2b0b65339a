from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from communities import markup
from communities.models import Community


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["name", "description", "kind", "visibility", "cover"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
            "cover": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            c for c in Community.Kind.choices if c[0] != Community.Kind.GENERAL
        ]
        if self.instance.pk and self.instance.is_general:
            del self.fields["kind"]
            del self.fields["visibility"]

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover and hasattr(cover, "image") and cover.size > settings.ACCOUNTS_PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("This image is %(size)s; the limit is %(limit)s."),
                params={
                    "size": filesizeformat(cover.size),
                    "limit": filesizeformat(settings.ACCOUNTS_PHOTO_MAX_BYTES),
                },
            )
        return cover


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=markup.MAX_LENGTH,
        error_messages={"required": _("Write something first.")},
        help_text=_("Markdown, #hashtags and @**Name** mentions. %(limit)s characters at most.")
        % {"limit": markup.MAX_LENGTH},
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


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
    email = forms.EmailField(label=_("E-mail address of a colleague"))
