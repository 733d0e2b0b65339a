"""The forms of the integration pages. The services check the values (names, addresses,
scopes); these classes give the fields their labels and widgets, so the pages render them
through the project's form renderer, and show a refusal beside the values that were sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import ApiToken


class RefusableForm(forms.Form):
    """A form that can carry the service's refusal as its error."""

    @classmethod
    def refused(cls, data: Any, message: str, **kwargs: Any) -> RefusableForm:
        form = cls(data, **kwargs)
        form.add_error(None, message)
        return form


class ApiTokenForm(RefusableForm):
    name = forms.CharField(label=_("Token name"), max_length=80)
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.choices[0][0],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "token-%s")
        super().__init__(*args, **kwargs)


class WebhookForm(RefusableForm):
    name = forms.CharField(
        label=_("Webhook name (shown on its posts)"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "CRM"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "webhook-%s")
        super().__init__(*args, **kwargs)


class FeedForm(RefusableForm):
    name = forms.CharField(label=_("Feed name (shown on its posts)"), max_length=80)
    url = forms.CharField(
        label=_("Feed address"),
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://…/feed.xml"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "feed-%s")
        super().__init__(*args, **kwargs)
