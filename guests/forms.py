from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guests.models import Invitation
from portal.core.widgets import DateInput


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Invite as"), choices=Invitation.Role.choices, widget=forms.RadioSelect
    )
    communities = forms.ModelMultipleChoiceField(
        label=_("Communities"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    access_ends_on = forms.DateField(
        label=_("Access ends on (guests)"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the default length."),
    )
    sponsor = forms.ModelChoiceField(
        label=_("Sponsor"),
        queryset=None,
        required=False,
        help_text=_("Reminded before the access ends; you by default."),
    )
    message = forms.CharField(
        label=_("Personal message"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, communities, sponsors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities
        self.fields["sponsor"].queryset = sponsors

    def clean_access_ends_on(self):
        day = self.cleaned_data.get("access_ends_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The end date is in the past."))
        return day


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("New end date"), widget=DateInput())
