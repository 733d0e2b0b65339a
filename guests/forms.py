from allauth.core import context as allauth_context
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guests.adapter import pending_invitation
from guests.models import Invitation
from guests.services import CONSENT_SESSION_KEY
from portal.accounts.forms import SignupForm
from portal.core.widgets import DateInput


class InvitationForm(forms.Form):
    # Somebody else's address: the browser must not offer the inviter's own.
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
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


class InvitationSignupForm(SignupForm):
    """The sign-up form (``settings.ACCOUNT_FORMS``): the accounts form, and for a visitor who
    opened an invitation, the invited address fixed and, for a guest, the digest question."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        invitation = pending_invitation(allauth_context.request)
        self.invitation = invitation  # the page says who invites, where, and their message
        if invitation is not None:
            # The invited address is fixed: the link proved it.
            self.fields["email"].initial = invitation.email
            self.fields["email"].widget.attrs["readonly"] = True
            if invitation.for_guest:
                # Guests receive digests only when they say so.
                self.fields["digests"] = forms.BooleanField(
                    label=_("Send me a digest of my communities by e-mail"),
                    required=False,
                )

    def custom_signup(self, request, user) -> None:
        # Read by guests' user_signed_up handler when it accepts the invitation.
        request.session[CONSENT_SESSION_KEY] = bool(self.cleaned_data.get("digests"))

    def clean_email(self) -> str:
        invitation = pending_invitation(allauth_context.request)
        if invitation is None:
            return super().clean_email()
        # allauth's own checks (a valid, unused address), not the internal-domain rule: the
        # link opened sign-up for exactly this address.
        email = super(SignupForm, self).clean_email()
        if email.lower() != invitation.email:
            raise forms.ValidationError(
                _("This invitation is for %(email)s."),
                code="not_invited",
                params={"email": invitation.email},
            )
        return email
